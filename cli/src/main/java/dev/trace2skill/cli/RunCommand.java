package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.Locale;
import java.util.concurrent.Callable;

/** Evolution runs: list, status, watch, cancel. */
@Command(name = "run", description = "List runs, show or watch one, cancel one.",
        subcommands = {RunCommand.Ls.class, RunCommand.Status.class, RunCommand.Watch.class, RunCommand.Cancel.class})
public class RunCommand {
    @ParentCommand
    Main main;

    /** One line about a run's progress. */
    static String line(JsonNode run) {
        JsonNode c = run.path("counts");
        JsonNode m = run.path("merge");
        String merge = m.has("levels") ? String.format(Locale.ROOT, ", merge level %d/%d (%d/%d nodes)", m.path("level").asInt(),
                m.path("levels").asInt(), m.path("nodesDone").asInt(), m.path("nodesTotal").asInt()) : "";
        String dropped = run.path("pool").has("unverifiedDropped") ? ", " + run.path("pool").path("unverifiedDropped").asInt() + " unverified dropped" : "";
        return String.format(Locale.ROOT, "%s: %d/%d analysed (%d failed%s)%s, %,d tokens", run.path("status").asText(),
                c.path("analysesDone").asInt() + c.path("analysesFailed").asInt(), c.path("jobsPublished").asInt(),
                c.path("analysesFailed").asInt(), dropped, merge, run.path("tokens").path("total").asLong());
    }

    static double fraction(JsonNode run) {
        String status = run.path("status").asText();
        if (status.equals("done") || status.equals("merged")) {
            return 1;
        }
        JsonNode c = run.path("counts");
        int published = c.path("jobsPublished").asInt();
        int finished = c.path("analysesDone").asInt() + c.path("analysesFailed").asInt();
        JsonNode m = run.path("merge");
        if (status.equals("merging") && m.path("nodesTotal").asInt() > 0) {
            return 0.8 + 0.2 * m.path("nodesDone").asInt() / m.path("nodesTotal").asInt();
        }
        return published == 0 ? 0 : 0.8 * finished / published;
    }

    static boolean over(JsonNode run) {
        String s = run.path("status").asText();
        return s.equals("done") || s.equals("failed") || s.equals("cancelled");
    }

    /** Follows a run until it is over; returns its last state. */
    static JsonNode watch(Main main, String id) {
        Progress bar = main.progress();
        JsonNode run = main.api().getJson("/v1/runs/" + Api.q(id));
        while (true) {
            bar.update(fraction(run), line(run), over(run));
            if (over(run)) {
                return run;
            }
            main.sleep();
            run = main.api().getJson("/v1/runs/" + Api.q(id));
        }
    }

    /** After a watched run: OK when S* exists, FAILED otherwise (with the run's message). */
    static int end(Main main, JsonNode run) {
        if (run.path("status").asText().equals("done")) {
            return Exit.OK;
        }
        main.err.println("t2s: run " + run.path("id").asText() + " is " + run.path("status").asText()
                + (run.hasNonNull("message") ? ": " + run.path("message").asText() : ""));
        return Exit.FAILED;
    }

    @Command(name = "ls", description = "The latest runs.")
    static class Ls implements Callable<Integer> {
        @ParentCommand
        RunCommand parent;

        @Override
        public Integer call() {
            Main main = parent.main;
            JsonNode runs = main.api().getJson("/v1/runs?limit=50");
            if (main.json) {
                main.printJson(runs);
                return Exit.OK;
            }
            runs.forEach(r -> main.out.printf("%-38s %-22s %s%n", r.path("id").asText(), r.path("skill").asText("-"), line(r)));
            return Exit.OK;
        }
    }

    @Command(name = "status", description = "A run's status and progress.")
    static class Status implements Callable<Integer> {
        @ParentCommand
        RunCommand parent;

        @Parameters(paramLabel = "RUN")
        String id;

        @Override
        public Integer call() {
            Main main = parent.main;
            JsonNode run = main.api().getJson("/v1/runs/" + Api.q(id));
            if (main.json) {
                main.printJson(run);
            } else {
                main.out.println(id + " " + line(run) + (run.hasNonNull("evolvedSkill") ? ", S* = " + run.path("evolvedSkill").asText() : "")
                        + (run.hasNonNull("message") ? " (" + run.path("message").asText() + ")" : ""));
            }
            return Exit.OK;
        }
    }

    @Command(name = "watch", description = "Follow a run with a progress bar until it is over, then print the diff summary.")
    static class Watch implements Callable<Integer> {
        @ParentCommand
        RunCommand parent;

        @Parameters(paramLabel = "RUN")
        String id;

        @Override
        public Integer call() {
            JsonNode run = watch(parent.main, id);
            return EvolveCommand.finish(parent.main, run);
        }
    }

    @Command(name = "cancel", description = "Cancel a run that is not over (nothing more is merged or registered for it).")
    static class Cancel implements Callable<Integer> {
        @ParentCommand
        RunCommand parent;

        @Parameters(paramLabel = "RUN")
        String id;

        @Override
        public Integer call() {
            Main main = parent.main;
            JsonNode run = main.api().postJson("/v1/runs/" + Api.q(id) + "/cancel", "");
            if (main.json) {
                main.printJson(run);
            } else {
                main.out.println(id + " " + run.path("status").asText());
            }
            return Exit.OK;
        }
    }
}
