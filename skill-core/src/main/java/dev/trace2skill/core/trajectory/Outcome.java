package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Whether the trajectory answered correctly (y ∈ {0,1}), with the source's reward when it had one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Outcome(boolean success, Double reward) {
    public static Outcome of(boolean success) {
        return new Outcome(success, null);
    }
}
