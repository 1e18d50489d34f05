package dev.trace2skill.evaluator;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** How an evaluation stands, as {@code GET /v1/evaluations/{id}} shows it and the {@code evaluations} table stores it. */
public enum EvaluationStatus {
    RUNNING,
    COMPLETED,
    /** Stopped when the tokens spent (or reported) reached the request's budget; partial results stay readable. */
    BUDGET_EXHAUSTED,
    /** An external-runner evaluation whose deadline passed with episodes still pending. */
    TIMED_OUT,
    CANCELLED,
    FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EvaluationStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return wire();
    }
}
