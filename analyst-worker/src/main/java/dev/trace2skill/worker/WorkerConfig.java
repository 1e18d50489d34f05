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

    /** A name for this replica in patch results (the pod name in Kubernetes). */
    @WithDefault("${HOSTNAME:worker}")
    String instance();
}
