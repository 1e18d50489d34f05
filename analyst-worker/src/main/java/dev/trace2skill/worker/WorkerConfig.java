package dev.trace2skill.worker;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** How a worker replica analyses. */
@ConfigMapping(prefix = "t2s.worker")
public interface WorkerConfig {
    /** Analyses in flight at once in this replica (they mostly wait on model servers). */
    @WithDefault("64")
    int maxInFlight();

    /** Turns of the error analyst's ReAct loop. */
    @WithDefault("12")
    int errorMaxTurns();

    /** Token budget of one analysis (prompt + completion, all calls and repairs). */
    @WithDefault("60000")
    long maxTokensPerAnalysis();

    /** Invalid model outputs sent back with the validation errors before the analysis fails. */
    @WithDefault("2")
    int maxRepairs();

    /** Per-observation budget of the truncation policy (tokens ≈ characters / 4). */
    @WithDefault("800")
    int maxObservationTokens();

    /** Budget of a whole rendered trajectory. */
    @WithDefault("24000")
    int maxTrajectoryTokens();

    /** Starts of one job without a result (each stopped its worker) after which it is recorded as failed instead. */
    @WithDefault("3")
    int maxAttempts();

    /** A patch result larger than this is recorded as a failed analysis (the result could not travel). */
    @WithDefault("4194304")
    int maxResultBytes();

    /** Heap that analyses in flight may reserve together (default: half the maximum heap); see {@link JobResources}. */
    Optional<MemorySize> memoryBudget();

    /**
     * Checks an error analysis may make with {@code check_output} (results it did not produce itself are refused
     * without using one), so guessing is no strategy.
     */
    @WithDefault("3")
    int maxChecks();

    /**
     * Show analysts the expected answer (in the trajectory and in every check's answer) and count a check passed on a
     * copied answer as verified: the behaviour before answers were hidden, for comparison with setups that show it.
     */
    @WithDefault("false")
    boolean revealExpected();

    /**
     * The data folder with {@code tasks/} (the evaluator's): error analyses of episodes from a built-in task set replay
     * in the task's environment (its table, its workbooks). Default: {@code shared/data} found beside the repository;
     * without one, only trajectories that carry their own expected answer and checker can be replayed.
     */
    Optional<String> dataDir();

    /** Tokens of the skill's files (other than SKILL.md) a success analyst is shown: those its trajectory touched on. */
    @WithDefault("4000")
    int maxFileTokens();

    /** How error analyses replay spreadsheet tasks. */
    Spreadsheet spreadsheet();

    interface Spreadsheet {
        /** {@code poi} (in process) or {@code libreoffice} (headless soffice per recalculation) before a workbook is checked. */
        @WithDefault("poi")
        String recalculator();

        /** The LibreOffice command, for {@code recalculator=libreoffice}. */
        @WithDefault("soffice")
        String soffice();

        /** How a workbook is checked: official (the benchmark's reading of the task, as the evaluator by default) or lenient. */
        @WithDefault("official")
        String mode();
    }

    /** A name for this replica in patch results (the pod name in Kubernetes). */
    @WithDefault("${HOSTNAME:worker}")
    String instance();
}
