package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.Locale;
import java.util.Optional;

/**
 * Which analysts a run uses (the paper's +Error, +Success, +Combined). The offline {@code mining} engine reads
 * every selected trajectory whatever this says, because it contrasts failures with successes.
 */
public enum AnalystSelection {
    ERROR,
    SUCCESS,
    COMBINED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AnalystSelection fromWire(String value) {
        for (AnalystSelection s : values()) {
            if (s.wire().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown analysts '" + value + "'; expected error, success or combined");
    }

    /** The analyst for a trajectory under this selection and engine, or empty when it is not analysed. */
    public Optional<AnalystKind> analystFor(Trajectory t, AnalysisEngine engine) {
        return analystFor(t.successful(), engine);
    }

    /** The analyst for a trajectory of this outcome, or empty when it is not analysed. */
    public Optional<AnalystKind> analystFor(boolean success, AnalysisEngine engine) {
        if (engine == AnalysisEngine.MINING) {
            return Optional.of(AnalystKind.MINING);
        }
        return switch (this) {
            case ERROR -> success ? Optional.empty() : Optional.of(AnalystKind.ERROR);
            case SUCCESS -> success ? Optional.of(AnalystKind.SUCCESS) : Optional.empty();
            case COMBINED -> Optional.of(success ? AnalystKind.SUCCESS : AnalystKind.ERROR);
        };
    }
}
