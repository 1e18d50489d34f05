package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.TokenUsage;

import java.time.Instant;

/**
 * Progress of a run past the analyses: merge events from the merger, and {@code SKILL_REGISTERED} from trace-ingest
 * once S* is stored as a registry version (so the merger can report that version with S*).
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
 * @param skillVersion the registry version S* was stored as (SKILL_REGISTERED)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEvent(String runId, Type type, Integer mergeLevel, Integer mergeLevels, Integer nodesDone,
                       Integer nodesTotal, TokenUsage usage, String message, Instant at, Integer skillVersion) {
    public enum Type { MERGE_STARTED, MERGE_PROGRESS, MERGE_DONE, RUN_FAILED, SKILL_REGISTERED }

    public RunEvent(String runId, Type type, Integer mergeLevel, Integer mergeLevels, Integer nodesDone, Integer nodesTotal,
                    TokenUsage usage, String message, Instant at) {
        this(runId, type, mergeLevel, mergeLevels, nodesDone, nodesTotal, usage, message, at, null);
    }

    /** trace-ingest stored a run's S* as version {@code version} of its skill. */
    public static RunEvent skillRegistered(String runId, String skillRef, int version) {
        return new RunEvent(runId, Type.SKILL_REGISTERED, null, null, null, null, null, "S* stored as " + skillRef, Instant.now(), version);
    }
}
