package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.Trajectory;

/**
 * external runner → evaluator ({@code eval-results}, or {@code POST /v1/evaluations/{id}/results}): one episode's result.
 *
 * @param evaluationId the evaluation
 * @param episodeId    the episode id from the {@link EvalTask}
 * @param answer       the agent's final answer (scored by the evaluator when the task has an expected answer)
 * @param correct      the runner's verdict, used only for tasks without an expected answer
 * @param error        set when the episode could not complete (counted as an error, never as a wrong answer)
 * @param trajectory   the episode as a trajectory (optional; stored as the episode's labelled trajectory)
 * @param usage        tokens the agent spent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalResult(String evaluationId, String episodeId, String answer, Boolean correct, String error,
                         Trajectory trajectory, TokenUsage usage) {
}
