package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * evaluator → external runners ({@code eval-tasks}, key = evaluation id): one episode to run for a domain the
 * evaluator cannot execute itself. The expected answer is withheld: the runner answers, and the evaluator scores the
 * answer with the task's checker (or, for tasks without ground truth, takes the runner's verdict).
 *
 * @param evaluationId the evaluation
 * @param episodeId    the episode's id; the result must carry it back (it is also the trajectory id)
 * @param skill        the skill to use (text files inline; a section-ablation variant when {@code removedSection} is set),
 *                     or null for the no-skill baseline
 * @param skillRef     the skill as {@code name@version}, or null
 * @param removedSection the top-level section left out of {@code skill}, or null
 * @param model        the skill-user model
 * @param seed         the sampling seed
 * @param task         the task without its expected answer
 * @param resultTopic  where results may be published ({@code eval-results})
 * @param resultPath   or POSTed (HTTP path on the evaluator)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalTask(String evaluationId, String episodeId, SkillSnapshot skill, String skillRef, String removedSection,
                       ModelSettings model, int seed, TaskSpec task, String resultTopic, String resultPath) {

    /** A task as a runner sees it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskSpec(String id, String question, String checker, Map<String, String> context) {
    }
}
