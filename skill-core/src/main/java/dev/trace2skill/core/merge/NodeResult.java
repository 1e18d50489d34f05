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
 * @param rejectedAttributions sources the merge operator named for an output edit that do not resemble it (their
 *                             support was not counted)
 * @param promptVersion content hash of the prompt templates the node was merged with (null when no model was asked)
 */
public record NodeResult(Patch output, List<EditDecision> decisions, String engine, int repairs, boolean fallback,
                         TokenUsage usage, long latencyMillis, List<Attribution> rejectedAttributions, String promptVersion) {
    public NodeResult {
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
        usage = usage == null ? TokenUsage.ZERO : usage;
        rejectedAttributions = rejectedAttributions == null ? List.of() : List.copyOf(rejectedAttributions);
    }

    public NodeResult(Patch output, List<EditDecision> decisions, String engine, int repairs, boolean fallback,
                      TokenUsage usage, long latencyMillis) {
        this(output, decisions, engine, repairs, fallback, usage, latencyMillis, null, null);
    }

    public NodeResult withPromptVersion(String version) {
        return new NodeResult(output, decisions, engine, repairs, fallback, usage, latencyMillis, rejectedAttributions, version);
    }
}
