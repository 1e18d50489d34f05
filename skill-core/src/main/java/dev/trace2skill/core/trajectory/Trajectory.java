package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * One agent execution τ = ⟨query, (reasoning, tool call, observation)*, answer, correct⟩ (Trace2Skill §2.2).
 *
 * @param id             stable id, unique within the system (see {@link TrajectoryRules#ID_PATTERN})
 * @param taskId         the task it ran, when known (several trials may share one)
 * @param query          the task as given to the agent
 * @param steps          reasoning / tool call / observation triples in order
 * @param finalAnswer    what the agent answered, or null
 * @param outcome        whether it was correct, with an optional reward
 * @param expectedAnswer the ground-truth answer when known
 * @param model          the agent's model
 * @param skillRef       the skill the agent used, as {@code name@version}, or null
 * @param usage          tokens the agent spent, when known
 * @param metadata       anything else the source format carried
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Trajectory(String id, String taskId, String query, List<Step> steps, String finalAnswer,
                         Outcome outcome, String expectedAnswer, String model, String skillRef, TokenUsage usage,
                         Map<String, Object> metadata) {

    public Trajectory {
        steps = steps == null ? List.of() : List.copyOf(steps);
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    @JsonIgnore
    public boolean successful() {
        return outcome != null && outcome.success();
    }

    /** The tool names called, in order. */
    @JsonIgnore
    public List<String> toolSequence() {
        return steps.stream().filter(s -> s.action() != null).map(s -> s.action().tool()).toList();
    }

    public Trajectory withId(String newId) {
        return new Trajectory(newId, taskId, query, steps, finalAnswer, outcome, expectedAnswer, model, skillRef, usage, metadata);
    }
}
