package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.TokenUsage;

/**
 * The drafted S0 for a Creation-mode run, or why drafting failed.
 *
 * @param runId   run id
 * @param skill   the draft (version 0: the registry stores it as version 1), or null on failure
 * @param failure why no valid draft was produced, or null
 * @param usage   tokens spent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SkillDrafted(String runId, SkillSnapshot skill, String failure, TokenUsage usage) {
}
