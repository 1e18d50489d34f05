package dev.trace2skill.evaluator;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** How an experiment stands, as {@code GET /v1/experiments/{id}} shows it and the {@code experiments} table stores it. */
public enum ExperimentStatus {
    RUNNING,
    /** Every round ran, the report is final. */
    COMPLETED,
    /** The experiment's token budget was spent: no further stage started; what ran stays readable. */
    BUDGET_EXHAUSTED,
    CANCELLED,
    /** A stage failed (a run failed, a draft failed, Stage 1 left no trajectories, …); the message says which. */
    FAILED,
    /** A skill under test holds held-out tasks or answers (found by the leakage check); the problem names them. */
    REFUSED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExperimentStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return wire();
    }

    /** The stages of an experiment, in the order a round goes through them. */
    public enum Stage {
        /** Creation mode: S0 is being drafted by the analyst workers (through trace-ingest). */
        DRAFTING,
        /** The author model runs S0 on D_evolve. */
        STAGE1,
        /** Stage 1's episodes go to trace-ingest as trajectories tagged with the experiment and S0. */
        SENDING,
        /** The evolution run on exactly those trajectories, until S* is registered. */
        EVOLVING,
        /** S* is checked for held-out tasks and answers. */
        CHECKING,
        /** No skill, S0 and S* on D_test, for every user model. */
        TESTING,
        DONE;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Stage fromWire(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
