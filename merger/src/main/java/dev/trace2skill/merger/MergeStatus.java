package dev.trace2skill.merger;

import java.util.Locale;

/** Where a run's patch pool is in the merger, as its {@code runs} table stores it and {@code GET /v1/runs/{id}} shows it. */
public enum MergeStatus {
    /** Waiting for the jobs' results (or the straggler deadline). */
    COLLECTING,
    /** Merging level by level; an interrupted merge stays here and resumes. */
    MERGING,
    DONE,
    FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MergeStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public boolean terminal() {
        return this == DONE || this == FAILED;
    }
}
