package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.pipeline.ModelSettings;

import java.util.List;

/**
 * {@code POST /v1/runs}: which skill to evolve from which trajectories, and how.
 *
 * @param skill          {@code name@version}, or {@code name} for its latest version; in Creation mode a name with no
 *                       version yet asks for a drafted S0 first
 * @param domain         Creation mode without S0: what the skill is for (the draft's brief)
 * @param trajectories   which trajectories: dataset, outcome, ids, limit
 * @param analysts       error, success or combined
 * @param engine         llm (model analysts) or mining (offline, no model)
 * @param mode           deepening or creation
 * @param mergeBranching B, patches per merge group
 * @param minSupport     edits supported by fewer distinct tasks go to references/
 * @param models         model per stage
 * @param budget         token budget
 * @param unverified     drop, keep or downweight unverified error patches (default: drop where the task has ground truth)
 * @param mergeWindow    how long the merger waits for results: idle seconds after the last one, and an absolute cap
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(String skill, String domain, Selection trajectories, String analysts, String engine, String mode,
                         Integer mergeBranching, Integer minSupport, Models models, Budget budget, String unverified,
                         MergeWindow mergeWindow) {

    /**
     * @param idleSeconds merge once no result has arrived for this long (default: the merger's straggler timeout)
     * @param maxSeconds  merge at the latest this long after the run starts, results or not
     */
    public record MergeWindow(Long idleSeconds, Long maxSeconds) {
    }

    public record Selection(String dataset, String outcome, List<String> ids, Integer limit) {
    }

    public record Models(ModelSettings analyst, ModelSettings merger) {
    }

    public record Budget(Long maxTokens) {
    }
}
