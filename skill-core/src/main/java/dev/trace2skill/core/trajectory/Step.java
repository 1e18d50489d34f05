package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One step of a trajectory: the agent's reasoning r, its tool call a, and the observation o it got back.
 *
 * @param reasoning   the reasoning before the action, or null
 * @param action      the tool call, or null for a reasoning-only step
 * @param observation what came back, or null
 * @param error       true when the source marked the observation as an error (e.g. a span with status ERROR)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Step(String reasoning, ToolCall action, String observation, Boolean error) {
    public Step(String reasoning, ToolCall action, String observation) {
        this(reasoning, action, observation, null);
    }
}
