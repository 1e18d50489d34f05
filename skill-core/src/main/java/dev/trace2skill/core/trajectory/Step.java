package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One step of a trajectory: the agent's reasoning r, its tool call a, and the observation o it got back.
 *
 * @param reasoning   the reasoning before the action, or null
 * @param action      the tool call, or null for a reasoning-only step
 * @param observation what came back, or null
 * @param error       true when the observation is an error: marked so by the source (e.g. a span with status ERROR)
 *                    or recognised by {@link ErrorRules}
 * @param errorRule   which rule flagged it ({@link ErrorRules#SOURCE} for the source's own mark, a rule id such as
 *                    {@code not-found}, or {@code pattern:<regex>} for an upload's extra pattern); null when not flagged
 *                    or when a pushed trajectory gave no reason
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Step(String reasoning, ToolCall action, String observation, Boolean error, String errorRule) {
    public Step(String reasoning, ToolCall action, String observation) {
        this(reasoning, action, observation, null, null);
    }

    public Step(String reasoning, ToolCall action, String observation, Boolean error) {
        this(reasoning, action, observation, error, null);
    }
}
