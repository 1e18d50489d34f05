package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.patch.EvolutionMode;

/**
 * How a run evolves its skill; fixed when the run starts and carried in its messages.
 *
 * @param mode             Deepening (human S0) or Creation (drafted S0)
 * @param analysts         error / success / combined
 * @param engine           llm analysts or the offline miner
 * @param mergeBranching   B, patches per merge group
 * @param minSupport       edits supported by fewer trajectories go to {@code references/} (niche quirks), not the body
 * @param analystModel     model for the analysts
 * @param mergerModel      model for the merge operator
 * @param maxTokens        token budget of the whole run (analyses and merges), or null for none
 * @param unverified       what unverified error patches become; null: drop them when their task has ground truth,
 *                         keep them otherwise
 * @param mergeIdleSeconds the merge window: merge this long after the last result arrived (null: the merger's
 *                         {@code t2s.merger.straggler-timeout})
 * @param mergeMaxSeconds  an absolute cap on the merge window from the run's start, or null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunConfig(EvolutionMode mode, AnalystSelection analysts, AnalysisEngine engine, int mergeBranching,
                        int minSupport, ModelSettings analystModel, ModelSettings mergerModel, Long maxTokens,
                        UnverifiedPolicy unverified, Long mergeIdleSeconds, Long mergeMaxSeconds) {
    public static final int DEFAULT_BRANCHING = 5;
    public static final int DEFAULT_MIN_SUPPORT = 2;

    public RunConfig {
        mode = mode == null ? EvolutionMode.DEEPENING : mode;
        analysts = analysts == null ? AnalystSelection.COMBINED : analysts;
        engine = engine == null ? AnalysisEngine.LLM : engine;
        mergeBranching = mergeBranching == 0 ? DEFAULT_BRANCHING : mergeBranching;
        minSupport = minSupport == 0 ? DEFAULT_MIN_SUPPORT : minSupport;
        analystModel = analystModel == null ? ModelSettings.DEFAULTS : analystModel;
        mergerModel = mergerModel == null ? ModelSettings.DEFAULTS : mergerModel;
    }

    /** A configuration with the default unverified policy and merge window. */
    public RunConfig(EvolutionMode mode, AnalystSelection analysts, AnalysisEngine engine, int mergeBranching, int minSupport,
                     ModelSettings analystModel, ModelSettings mergerModel, Long maxTokens) {
        this(mode, analysts, engine, mergeBranching, minSupport, analystModel, mergerModel, maxTokens, null, null, null);
    }

    public RunConfig withUnverified(UnverifiedPolicy policy) {
        return new RunConfig(mode, analysts, engine, mergeBranching, minSupport, analystModel, mergerModel, maxTokens, policy,
                mergeIdleSeconds, mergeMaxSeconds);
    }

    public RunConfig withMergeWindow(Long idleSeconds, Long maxSeconds) {
        return new RunConfig(mode, analysts, engine, mergeBranching, minSupport, analystModel, mergerModel, maxTokens, unverified,
                idleSeconds, maxSeconds);
    }
}
