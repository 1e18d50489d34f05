package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** LLM analysts, or the deterministic offline miner that needs no model at all. */
public enum AnalysisEngine {
    LLM,
    MINING;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AnalysisEngine fromWire(String value) {
        for (AnalysisEngine e : values()) {
            if (e.wire().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + value + "'; expected llm or mining");
    }
}
