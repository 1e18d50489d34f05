package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.trajectory.TokenUsage;

import java.util.List;

/**
 * The output of one merge node.
 *
 * @param output    the merged patch
 * @param decisions what happened to each input edit
 * @param engine    how it was produced: {@code llm}, {@code deterministic}, {@code union}, {@code pass} or {@code empty}
 * @param repairs   invalid model outputs sent back for repair
 * @param fallback  whether the deterministic merge took over after the model's output stayed invalid
 * @param usage     model tokens spent
 * @param latencyMillis wall time of the node
 */
public record NodeResult(Patch output, List<EditDecision> decisions, String engine, int repairs, boolean fallback,
                         TokenUsage usage, long latencyMillis) {
    public NodeResult {
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
        usage = usage == null ? TokenUsage.ZERO : usage;
    }
}
