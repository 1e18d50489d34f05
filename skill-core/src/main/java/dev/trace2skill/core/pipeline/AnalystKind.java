package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Who turns one trajectory into a patch: the Success Analyst A+, the Error Analyst A−, or the offline miner. */
public enum AnalystKind {
    SUCCESS,
    ERROR,
    MINING;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AnalystKind fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** patch id = run id + trajectory id + analyst kind, so a redelivered job never yields a second patch. */
    public String patchId(String runId, String trajectoryId) {
        return runId + ":" + trajectoryId + ":" + wire();
    }
}
