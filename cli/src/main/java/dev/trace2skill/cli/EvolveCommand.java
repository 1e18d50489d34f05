package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Starts an evolution run; with --watch follows it to S* and prints the diff summary. */
@Command(name = "evolve", description = "Evolve a skill from a dataset's trajectories (POST /v1/runs); --watch follows it to S*.")
public class EvolveCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--skill", description = "S0 as NAME@VERSION (or NAME for the latest; the new skill's name in creation mode)")
    String skill;

    @Option(names = "--dataset", description = "the trajectories' dataset")
    String dataset;

    @Option(names = "--outcome", description = "any (default), success or failure")
    String outcome;

    @Option(names = "--limit", description = "at most this many trajectories")
    Integer limit;

    @Option(names = "--analysts", description = "combined, success, error")
    String analysts;

    @Option(names = "--engine", description = "llm or mining (offline, no model)")
    String engine;

    @Option(names = "--mode", description = "deepening (default) or creation")
    String mode;

    @Option(names = "--domain", description = "creation mode: the domain S0 is drafted for")
    String domain;

    @Option(names = {"-B", "--branching"}, description = "merge branching B")
    Integer branching;

    @Option(names = "--min-support", description = "distinct tasks an edit of the SKILL.md body needs")
    Integer minSupport;

    @Option(names = "--model", description = "the model of analysts and merger")
    String model;

    @Option(names = "--max-tokens", description = "the run's token budget")
    Long maxTokens;

    @Option(names = "--request", description = "a JSON file with the whole run request (flags given here override its fields)")
    Path request;

    @Option(names = "--watch", description = "follow the run with a progress bar until S* exists, then print the diff summary")
    boolean watch;

    @Override
    public Integer call() throws IOException {
        ObjectNode r = request == null ? Api.JSON.createObjectNode() : (ObjectNode) readRequest(request);
        if (skill != null) {
            r.put("skill", skill);
        }
        if (dataset != null || outcome != null || limit != null) {
            ObjectNode t = r.has("trajectories") ? (ObjectNode) r.get("trajectories") : r.putObject("trajectories");
            if (dataset != null) {
                t.put("dataset", dataset);
            }
            if (outcome != null) {
                t.put("outcome", outcome);
            }
            if (limit != null) {
                t.put("limit", limit);
            }
        }
        if (analysts != null) {
            r.put("analysts", analysts);
        }
        if (engine != null) {
            r.put("engine", engine);
        }
        if (mode != null) {
            r.put("mode", mode);
        }
        if (domain != null) {
            r.put("domain", domain);
        }
        if (branching != null) {
            r.put("mergeBranching", branching);
        }
        if (minSupport != null) {
            r.put("minSupport", minSupport);
        }
        if (model != null) {
            ObjectNode models = r.putObject("models");
            models.putObject("analyst").put("model", model);
            models.putObject("merger").put("model", model);
        }
        if (maxTokens != null) {
            r.putObject("budget").put("maxTokens", maxTokens);
        }
        if (!r.has("skill")) {
            throw new CliException(Exit.USAGE, "name the skill to evolve: --skill NAME@VERSION (or --request FILE)");
        }
        JsonNode run = main.api().postJson("/v1/runs", r.toString());
        String id = run.path("id").asText();
        if (!watch) {
            if (main.json) {
                main.printJson(run);
            } else {
                main.out.println(id + " " + run.path("status").asText() + " (follow it with: t2s run watch " + id + ")");
            }
            return Exit.OK;
        }
        main.err.println("run " + id);
        return finish(main, RunCommand.watch(main, id));
    }

    static JsonNode readRequest(Path file) {
        try {
            JsonNode n = Api.JSON.readTree(Files.readString(file));
            if (!n.isObject()) {
                throw new CliException(Exit.USAGE, file + " must hold a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CliException(Exit.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** A watched run's end: S* and the diff summary (files changed, lines added and removed), or why it did not finish. */
    static int finish(Main main, JsonNode run) {
        int code = RunCommand.end(main, run);
        if (code != Exit.OK) {
            if (main.json) {
                main.printJson(run);
            }
            return code;
        }
        String id = run.path("id").asText();
        String diff = main.api().getText("/v1/runs/" + Api.q(id) + "/diff", "text/plain");
        int files = 0;
        int added = 0;
        int removed = 0;
        for (String l : diff.lines().toList()) {
            if (l.startsWith("+++ ")) {
                files++;
            } else if (l.startsWith("+") && !l.startsWith("+++")) {
                added++;
            } else if (l.startsWith("-") && !l.startsWith("---")) {
                removed++;
            }
        }
        if (main.json) {
            ObjectNode o = Api.JSON.createObjectNode();
            o.set("run", run);
            o.putObject("diff").put("files", files).put("added", added).put("removed", removed);
            main.printJson(o);
        } else {
            main.out.println("S* = " + run.path("evolvedSkill").asText() + " from " + run.path("skill").asText() + ": " + files + " file(s) changed, +"
                    + added + " -" + removed + " lines (run " + id + "; t2s get diff|changelog|provenance|skill " + id + " -o DIR)");
        }
        return Exit.OK;
    }
}
