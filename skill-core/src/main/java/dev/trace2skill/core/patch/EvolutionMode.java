package dev.trace2skill.core.patch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Deepening: S0 was written by a human. Creation: S0 was drafted by a model from its parametric knowledge. */
public enum EvolutionMode {
    DEEPENING,
    CREATION;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EvolutionMode fromWire(String value) {
        for (EvolutionMode m : values()) {
            if (m.wire().equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + value + "'; expected deepening or creation");
    }
}
