package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Experiments at the front door (the method's protocol: Stage 1 with S0, evolve, S* against S0 on held-out tasks).
 * Pending the experiments API: the request is the evaluator's ({@code POST /v1/experiments}), sent as a JSON file with
 * the few flags below layered over it; until an evaluator serves it, the front door answers 404 (exit code 4).
 */
@Command(name = "experiment", description = "Start an experiment (POST /v1/experiments) from a JSON request and flags; --watch follows it to its report.",
        subcommands = {ExperimentCommand.Status.class, ExperimentCommand.Report.class, ExperimentCommand.Cancel.class})
public class ExperimentCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--request", description = "a JSON file with the experiment request")
    Path request;

    @Option(names = "--skill", description = "S0 as NAME@VERSION (Deepening)")
    String skill;

    @Option(names = "--taskset", description = "the task set to split into D_evolve and D_test")
    String taskset;

    @Option(names = "--model", split = ",", description = "user models (repeat or comma-separate)")
    List<String> models;

    @Option(names = "--model-url", description = "an OpenAI-compatible endpoint for every stage")
    String modelUrl;

    @Option(names = "--seed", description = "the split's seed")
    Integer seed;

    @Option(names = "--max-tokens", description = "one budget across all stages")
    Long maxTokens;

    @Option(names = "--watch", description = "follow it (stage, done/total, errors, tokens), then print the report table")
    boolean watch;

    @Override
    public Integer call() {
        ObjectNode r = request == null ? Api.JSON.createObjectNode() : (ObjectNode) EvolveCommand.readRequest(request);
        if (skill != null) {
            r.put("skill", skill);
        }
        if (taskset != null) {
            r.put("taskset", taskset);
        }
        if (models != null) {
            ArrayNode a = r.putArray("models");
            models.forEach(m -> a.addObject().put("model", m));
        }
        if (modelUrl != null) {
            r.put("modelUrl", modelUrl);
        }
        if (seed != null) {
            r.put("seed", seed);
        }
        if (maxTokens != null) {
            r.putObject("budget").put("maxTokens", maxTokens);
        }
        return EvalCommand.start(main, "experiments", r, watch);
    }

    @Command(name = "status", description = "Stage and progress; --watch follows it to its report.")
    static class Status implements Callable<Integer> {
        @ParentCommand
        ExperimentCommand parent;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--watch")
        boolean watch;

        @Override
        public Integer call() {
            return EvalCommand.status(parent.main, "experiments", id, watch);
        }
    }

    @Command(name = "report", description = "The report: Markdown (default), json or svg; -o writes it to a file.")
    static class Report implements Callable<Integer> {
        @ParentCommand
        ExperimentCommand parent;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--format", defaultValue = "md")
        String format;

        @Option(names = {"-o", "--out"})
        Path out;

        @Override
        public Integer call() throws Exception {
            return EvalCommand.report(parent.main, "experiments", id, format, out);
        }
    }

    @Command(name = "cancel", description = "Cancel a running experiment.")
    static class Cancel implements Callable<Integer> {
        @ParentCommand
        ExperimentCommand parent;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            var e = parent.main.api().postJson("/v1/experiments/" + Api.q(id) + "/cancel", "");
            parent.main.out.println(parent.main.json ? e.toString() : id + " " + e.path("status").asText());
            return Exit.OK;
        }
    }
}
