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
 * @param pool         counts about the run's patch pool, absolute (so a redelivered event changes nothing):
 *                     {@code late} (results that arrived after the merge started: stored, not merged),
 *                     {@code unverifiedDropped}, {@code unverifiedKept}, {@code unverifiedDownweighted}
 * @param skillVersion the registry version S* was stored as (SKILL_REGISTERED)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEvent(String runId, Type type, Integer mergeLevel, Integer mergeLevels, Integer nodesDone,
                       Integer nodesTotal, TokenUsage usage, String message, Instant at, java.util.Map<String, Integer> pool,
                       Integer skillVersion) {
    /**
     * RESULT_LATE: a patch result arrived after the run's merge had started; SKILL_REGISTERED: trace-ingest stored S*
     * as a registry version; SKILL_HELD: trace-ingest holds S* as a candidate because the safety check flagged it
     * (the run needs approval); SKILL_REJECTED: a person rejected the held S* (the run failed); RUN_ABORTED: trace-ingest
     * failed the run (its jobs could not all be published, …), so the merger closes the run's pool as failed with the
     * same reason instead of merging it; RUN_CANCELLED: a user cancelled the run at trace-ingest (the merger then
     * merges nothing).
     */
    public enum Type {
        MERGE_STARTED, MERGE_PROGRESS, MERGE_DONE, RUN_FAILED, RESULT_LATE, SKILL_REGISTERED, SKILL_HELD, SKILL_REJECTED,
        RUN_ABORTED, RUN_CANCELLED;

        /** trace-ingest's own events (to the merger), not merge progress. */
        public boolean fromRegistry() {
            return this == SKILL_REGISTERED || this == SKILL_HELD || this == SKILL_REJECTED || this == RUN_ABORTED
                    || this == RUN_CANCELLED;
        }
    }

    public RunEvent {
        pool = pool == null || pool.isEmpty() ? null : java.util.Map.copyOf(pool);
    }

    public RunEvent(String runId, Type type, Integer mergeLevel, Integer mergeLevels, Integer nodesDone, Integer nodesTotal,
                    TokenUsage usage, String message, Instant at, java.util.Map<String, Integer> pool) {
        this(runId, type, mergeLevel, mergeLevels, nodesDone, nodesTotal, usage, message, at, pool, null);
    }

    public RunEvent(String runId, Type type, Integer mergeLevel, Integer mergeLevels, Integer nodesDone, Integer nodesTotal,
                    TokenUsage usage, String message, Instant at) {
        this(runId, type, mergeLevel, mergeLevels, nodesDone, nodesTotal, usage, message, at, null, null);
    }

    /** trace-ingest failed the run: the merger must not merge it, and fails its pool with this reason. */
    public static RunEvent aborted(String runId, String reason) {
        return new RunEvent(runId, Type.RUN_ABORTED, null, null, null, null, null, reason, Instant.now(), null, null);
    }

    /** trace-ingest holds a run's S* as candidate {@code candidateId} until a person approves it. */
    public static RunEvent skillHeld(String runId, String candidateId, String summary) {
        return new RunEvent(runId, Type.SKILL_HELD, null, null, null, null, null,
                "S* needs approval (candidate " + candidateId + "): " + summary, Instant.now(), null, null);
    }

    /** A person rejected a run's held S*. */
    public static RunEvent skillRejected(String runId, String reason) {
        return new RunEvent(runId, Type.SKILL_REJECTED, null, null, null, null, null, reason, Instant.now(), null, null);
    }

    /** A user cancelled the run at trace-ingest. */
    public static RunEvent cancelled(String runId, String message) {
        return new RunEvent(runId, Type.RUN_CANCELLED, null, null, null, null, null, message, Instant.now(), null, null);
    }

    /** trace-ingest stored a run's S* as version {@code version} of its skill. */
    public static RunEvent skillRegistered(String runId, String skillRef, int version) {
        return new RunEvent(runId, Type.SKILL_REGISTERED, null, null, null, null, null, "S* stored as " + skillRef, Instant.now(), null, version);
    }
}
