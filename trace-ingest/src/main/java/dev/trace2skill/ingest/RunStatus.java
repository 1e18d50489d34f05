package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where an evolution run is, as {@code GET /v1/runs/{id}} shows it and the {@code runs} table stores it. */
public enum RunStatus {
    /** Creation mode without S0: waiting for the drafted skill. */
    DRAFTING,
    /** Recorded; its jobs are being published. */
    PUBLISHING,
    /** Jobs published; analyses under way. */
    ANALYSING,
    MERGING,
    /** S* merged; not yet stored as a version. */
    MERGED,
    /** S* stored as the skill's next version. */
    DONE,
    /**
     * S* was flagged by the safety check and is held as a candidate: it becomes a version only when a person approves
     * it ({@code POST /v1/skills/{name}/candidates/{id}/approve}, then DONE) or the run fails when rejected.
     */
    NEEDS_APPROVAL,
    FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Done, failed and held runs stay as they are, whatever progress arrives late (only a decision moves a held one). */
    public boolean terminal() {
        return this == DONE || this == FAILED || this == NEEDS_APPROVAL;
    }
}
