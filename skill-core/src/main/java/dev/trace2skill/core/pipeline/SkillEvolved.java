package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.skill.SkillSafety;

import java.time.Instant;
import java.util.List;

/**
 * S* for a run: trace-ingest stores it as the skill's next version, or — when the safety check flags it — as a
 * candidate that waits for approval; the evaluator may evaluate it.
 *
 * @param runId        run id
 * @param base         S0
 * @param evolved      S* (version 0: the registry assigns the number)
 * @param editsApplied edits of p* applied
 * @param summary      one-line changelog
 * @param at           when
 * @param safety       what the merger's safety check found ({@link SkillSafety}); empty when nothing. trace-ingest runs
 *                     the same check itself and holds S* when either finds something
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record SkillEvolved(String runId, SkillSnapshot base, SkillSnapshot evolved, int editsApplied, String summary,
                           Instant at, List<SkillSafety.Finding> safety) {
    public SkillEvolved {
        safety = safety == null ? List.of() : List.copyOf(safety);
    }

    public SkillEvolved(String runId, SkillSnapshot base, SkillSnapshot evolved, int editsApplied, String summary, Instant at) {
        this(runId, base, evolved, editsApplied, summary, at, List.of());
    }
}
