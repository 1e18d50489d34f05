package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Evaluations at the front door: start one (flags or a JSON request), follow it with a progress bar, print its report.
 * {@link ExperimentCommand} reuses the same shape for experiments.
 */
@Command(name = "eval", description = "Start an evaluation (POST /v1/evaluations) and, with --watch, follow it to its report; or status/report/cancel ID.",
        subcommands = {EvalCommand.Status.class, EvalCommand.Report.class, EvalCommand.Cancel.class})
public class EvalCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--skill", split = ",", description = "skills to evaluate, NAME@VERSION (repeat or comma-separate)")
    List<String> skills;

    @Option(names = "--taskset", description = "gsm8k, aime24, amc23, wikitq, spreadsheetbench-verified, inline")
    String taskset;

    @Option(names = "--sample", description = "evaluate a seeded sample of this many tasks")
    Integer sample;

    @Option(names = "--seed", defaultValue = "7", description = "the sample's seed (default ${DEFAULT-VALUE})")
    int seed;

    @Option(names = "--model", split = ",", description = "user models (repeat or comma-separate)")
    List<String> models;

    @Option(names = "--no-baseline", description = "leave out the no-skill condition")
    boolean noBaseline;

    @Option(names = "--max-tokens", description = "the evaluation's token budget")
    Long maxTokens;

    @Option(names = "--request", description = "a JSON file with the whole request (flags given here override its fields)")
    Path request;

    @Option(names = "--watch", description = "follow it with a progress bar, then print the report table")
    boolean watch;

    @Override
    public Integer call() {
        ObjectNode r = request == null ? Api.JSON.createObjectNode() : (ObjectNode) EvolveCommand.readRequest(request);
        if (skills != null) {
            ArrayNode a = r.putArray("skills");
            skills.forEach(a::add);
        }
        if (taskset != null) {
            r.put("taskset", taskset);
        }
        if (sample != null) {
            r.putObject("sample").put("size", sample).put("seed", seed);
        }
        if (models != null) {
            ArrayNode a = r.putArray("models");
            models.forEach(m -> a.addObject().put("model", m));
        }
        if (noBaseline) {
            r.put("includeNoSkill", false);
        } else if (!r.has("includeNoSkill")) {
            r.put("includeNoSkill", true);
        }
        if (maxTokens != null) {
            r.putObject("budget").put("maxTokens", maxTokens);
        }
        return start(main, "evaluations", r, watch);
    }

    /** Starts an evaluation or an experiment; with watch, follows it and prints its report. */
    static int start(Main main, String kind, ObjectNode request, boolean watch) {
        JsonNode accepted = main.api().postJson("/v1/" + kind, request.toString());
        String id = accepted.path("id").asText();
        if (!watch) {
            if (main.json) {
                main.printJson(accepted);
            } else {
                main.out.println(id + " " + accepted.path("status").asText("accepted") + " (follow it with: t2s " + command(kind) + " status " + id + ")");
            }
            return Exit.OK;
        }
        main.err.println(command(kind) + " " + id);
        return follow(main, kind, id);
    }

    static String command(String kind) {
        return kind.equals("experiments") ? "experiment" : "eval";
    }

    static boolean running(JsonNode e) {
        String s = e.path("status").asText();
        return s.equals("running") || s.equals("pending") || s.equals("queued");
    }

    /** One line about an evaluation's or experiment's progress (the stage, when the status names one). */
    static String line(JsonNode e) {
        JsonNode p = e.path("progress");
        String stage = e.hasNonNull("stage") ? "stage " + e.path("stage").asText() + ", " : "";
        return String.format(Locale.ROOT, "%s%s%d/%d done, %d correct, %d errors, %,d tokens", e.path("status").asText(),
                stage.isEmpty() ? ": " : " (" + stage.substring(0, stage.length() - 2) + "): ", p.path("done").asInt(), p.path("total").asInt(),
                p.path("correct").asInt(), p.path("errors").asInt(), p.path("tokens").asLong());
    }

    static int follow(Main main, String kind, String id) {
        Progress bar = main.progress();
        String path = "/v1/" + kind + "/" + Api.q(id);
        JsonNode e = main.api().getJson(path);
        while (true) {
            JsonNode p = e.path("progress");
            double f = p.has("fraction") ? p.path("fraction").asDouble() : p.path("total").asInt() == 0 ? -1 : p.path("done").asDouble() / p.path("total").asInt();
            bar.update(f, line(e), !running(e));
            if (!running(e)) {
                break;
            }
            main.sleep();
            e = main.api().getJson(path);
        }
        if (main.json) {
            main.printJson(e);
        } else {
            main.out.print(main.api().getText(path + "/report", "text/markdown"));
        }
        String status = e.path("status").asText();
        if (!status.equals("completed") && !status.equals("done")) {
            main.err.println("t2s: " + command(kind) + " " + id + " is " + status + (e.hasNonNull("message") ? ": " + e.path("message").asText() : ""));
            return Exit.FAILED;
        }
        return Exit.OK;
    }

    abstract static class Sub implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        abstract Main main();

        String kind() {
            return "evaluations";
        }
    }

    @Command(name = "status", description = "Status and progress; --watch follows it to its report.")
    static class Status extends Sub {
        @ParentCommand
        EvalCommand parent;

        @Option(names = "--watch", description = "follow it with a progress bar, then print the report")
        boolean watch;

        @Override
        Main main() {
            return parent.main;
        }

        @Override
        public Integer call() {
            return status(main(), kind(), id, watch);
        }
    }

    static int status(Main main, String kind, String id, boolean watch) {
        if (watch) {
            return follow(main, kind, id);
        }
        JsonNode e = main.api().getJson("/v1/" + kind + "/" + Api.q(id));
        if (main.json) {
            main.printJson(e);
        } else {
            main.out.println(id + " " + line(e) + (e.hasNonNull("message") ? " (" + e.path("message").asText() + ")" : ""));
        }
        return Exit.OK;
    }

    @Command(name = "report", description = "The report: Markdown (default), json or svg (the chart); -o writes it to a file.")
    static class Report extends Sub {
        @ParentCommand
        EvalCommand parent;

        @Option(names = "--format", defaultValue = "md", description = "md, json or svg")
        String format;

        @Option(names = {"-o", "--out"}, description = "write to this file")
        Path out;

        @Override
        Main main() {
            return parent.main;
        }

        @Override
        public Integer call() throws Exception {
            return report(main(), kind(), id, format, out);
        }
    }

    static int report(Main main, String kind, String id, String format, Path out) throws java.io.IOException {
        String accept = switch (format) {
            case "md", "markdown" -> "text/markdown";
            case "json" -> "application/json";
            case "svg" -> "image/svg+xml";
            default -> throw new CliException(Exit.USAGE, "--format md, json or svg (not " + format + ")");
        };
        String text = main.api().getText("/v1/" + kind + "/" + Api.q(id) + "/report", accept);
        if (out != null) {
            Files.writeString(out, text);
            main.out.println(out);
        } else {
            main.out.print(text.endsWith("\n") ? text : text + "\n");
        }
        return Exit.OK;
    }

    @Command(name = "cancel", description = "Cancel a running evaluation.")
    static class Cancel extends Sub {
        @ParentCommand
        EvalCommand parent;

        @Override
        Main main() {
            return parent.main;
        }

        @Override
        public Integer call() {
            JsonNode e = main().api().postJson("/v1/" + kind() + "/" + Api.q(id) + "/cancel", "");
            if (main().json) {
                main().printJson(e);
            } else {
                main().out.println(id + " " + e.path("status").asText());
            }
            return Exit.OK;
        }
    }
}
