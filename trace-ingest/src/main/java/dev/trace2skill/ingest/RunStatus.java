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
    NEEDS_APPROVAL,
    FAILED,
    /** Cancelled by a user: nothing more is merged or registered for it. */
    CANCELLED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Done, failed, cancelled and held runs stay as they are, whatever progress arrives late (only a decision moves a held one). */
    public boolean terminal() {
        return this == DONE || this == FAILED || this == CANCELLED || this == NEEDS_APPROVAL;
    }
}
