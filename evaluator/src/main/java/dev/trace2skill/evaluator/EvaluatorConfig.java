package dev.trace2skill.evaluator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.Optional;

/** How the evaluator runs agents. */
@ConfigMapping(prefix = "t2s.evaluator")
public interface EvaluatorConfig {
    /** The data folder with tasks/ (default: ../shared/data found beside the repository). */
    Optional<String> dataDir();

    /** Turns an agent gets per task. */
    @WithDefault("8")
    int maxTurns();

    /** Tokens an agent may spend on one task. */
    @WithDefault("20000")
    long maxTokensPerTask();

    /** Episodes run at once when a request gives no concurrency. */
    @WithDefault("8")
    int defaultConcurrency();

    /** How long an external-runner evaluation waits for its results before it ends as timed_out. */
    @WithDefault("24h")
    java.time.Duration externalTimeout();

    /** How often deadlines of external-runner evaluations are checked. */
    @WithDefault("10s")
    java.time.Duration checkInterval();

    /** How often a running experiment checks the stage it waits on (an evaluation here, a draft or run in trace-ingest). */
    @WithDefault("2s")
    java.time.Duration experimentPoll();

    /**
     * The merger's URL as users reach it, for the links of experiment reports (a run's diff, changelog, provenance);
     * without it the links are paths on the merger.
     */
    Optional<String> mergerUrl();

    /** trace-ingest, for skills named name@version and for sending episodes on as trajectories. */
    @WithDefault("http://127.0.0.1:8081")
    String ingestUrl();

    @WithDefault("${t2s.api.token}")
    String ingestToken();

    /** Spreadsheet episodes and the workbook check endpoint. */
    Spreadsheet spreadsheet();

    interface Spreadsheet {
        /** {@code poi} (in process) or {@code libreoffice} (headless soffice per recalculation) before outputs are compared. */
        @WithDefault("poi")
        String recalculator();

        /** The LibreOffice command, for {@code recalculator=libreoffice}. */
        @WithDefault("soffice")
        String soffice();

        /** How long one recalculation may take. */
        @WithDefault("120s")
        java.time.Duration recalcTimeout();

        /** How an episode's workbook is checked: official (the benchmark's reading of the task) or lenient. */
        @WithDefault("official")
        String mode();

        /** The largest workbook the check endpoint accepts (bytes); larger uploads are a 413. */
        @WithDefault("20971520")
        long maxUploadBytes();
    }

    /** Price per million tokens per model: {@code t2s.evaluator.prices."<model>".input=..., .output=...}. */
    Map<String, Price> prices();

    interface Price {
        double input();

        double output();
    }
}
