package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What an unverified error patch (the error analyst proposed a patch without the task's checker confirming its cause)
 * becomes when the merger pools a run's patches. A run that names no policy drops such a patch when its task has a
 * ground-truth answer (the analyst could have verified and did not) and keeps it otherwise (nothing to verify with).
 */
public enum UnverifiedPolicy {
    /** Left out of the pool; counted and listed. */
    DROP,
    /** Pooled like a verified patch; counted. */
    KEEP,
    /**
     * Pooled, but its trajectory counts as {@link dev.trace2skill.core.merge.TaskSupport#DOWNWEIGHT} (half) a task
     * towards an edit's support: a task backed only by unverified error analyses adds 0.5, so such an edit needs
     * other evidence to reach {@code minSupport}.
     */
    DOWNWEIGHT;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static UnverifiedPolicy fromWire(String value) {
        for (UnverifiedPolicy p : values()) {
            if (p.wire().equalsIgnoreCase(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown unverified policy '" + value + "'; expected drop, keep or downweight");
    }
}
