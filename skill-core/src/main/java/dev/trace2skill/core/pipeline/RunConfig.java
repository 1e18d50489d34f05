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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunConfig(EvolutionMode mode, AnalystSelection analysts, AnalysisEngine engine, int mergeBranching,
                        int minSupport, ModelSettings analystModel, ModelSettings mergerModel, Long maxTokens) {
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
}
