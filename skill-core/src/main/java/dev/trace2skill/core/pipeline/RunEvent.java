package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.TokenUsage;

import java.time.Instant;

/**
 * Progress of a run past the analyses (from the merger).
 *
 * @param runId        run id
 * @param type         what happened
 * @param mergeLevel   the level reached (MERGE_PROGRESS)
 * @param mergeLevels  L, levels in all
 * @param nodesDone    merge nodes finished so far
 * @param nodesTotal   merge nodes in all
 * @param usage        merge tokens so far
 * @param message      details (e.g. missing jobs after a straggler timeout, or why the run failed)
 * @param at           when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEvent(String runId, Type type, Integer mergeLevel, Integer mergeLevels, Integer nodesDone,
                       Integer nodesTotal, TokenUsage usage, String message, Instant at) {
    public enum Type { MERGE_STARTED, MERGE_PROGRESS, MERGE_DONE, RUN_FAILED }
}
