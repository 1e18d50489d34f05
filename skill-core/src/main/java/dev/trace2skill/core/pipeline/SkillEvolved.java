package dev.trace2skill.core.pipeline;

import java.time.Instant;

/**
 * S* for a run: trace-ingest stores it as the skill's next version; the evaluator may evaluate it.
 *
 * @param runId        run id
 * @param base         S0
 * @param evolved      S* (version 0: the registry assigns the number)
 * @param editsApplied edits of p* applied
 * @param summary      one-line changelog
 * @param at           when
 */
public record SkillEvolved(String runId, SkillSnapshot base, SkillSnapshot evolved, int editsApplied, String summary,
                           Instant at) {
}
