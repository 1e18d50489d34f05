package dev.trace2skill.merger;

import java.util.Locale;

/** Where a run's patch pool is in the merger, as its {@code runs} table stores it and {@code GET /v1/runs/{id}} shows it. */
public enum MergeStatus {
    /** Waiting for the jobs' results (or the straggler deadline). */
    COLLECTING,
    /** Merging level by level; an interrupted merge stays here and resumes. */
    MERGING,
    DONE,
    /**
     * S* is merged but the safety check flagged it: trace-ingest holds it as a candidate, and it becomes a version
     * (DONE) only when a person approves it, or the run fails when rejected.
     */
    NEEDS_APPROVAL,
    FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MergeStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Never merged again: done, failed, or merged and waiting for a decision. */
    public boolean terminal() {
        return this == DONE || this == FAILED || this == NEEDS_APPROVAL;
    }
}
