package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Conflict;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillDiff;
import dev.trace2skill.core.skill.SkillLimits;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last phases of an evolution, from p* to S*: route niche edits to references, apply p* to S0, fall back to the
 * deterministic merge if p* itself conflicts, fit the size limits, validate, then write the diff, the changelog and
 * the provenance of every changed line.
 */
public final class Evolution {
    private Evolution() {
    }

    /**
     * @param skill      S*
     * @param applied    the edits actually applied (after routing and any fallback)
     * @param decisions  what routing and the fallback did to edits of p*
     * @param fitMoves   what the size fitter moved
     * @param diff       unified diff S0 → S*
     * @param provenance every changed line of S* with its edits, patches and trajectories
     */
    public record Result(SkillBundle skill, Patch applied, List<EditDecision> decisions, List<String> fitMoves, String diff,
                         List<Provenance.Line> provenance) {
    }

    /** Why S* could not be produced. */
    public static final class EvolutionFailed extends RuntimeException {
        public EvolutionFailed(String message) {
            super(message);
        }
    }

    /**
     * @param route      move edits below {@code minSupport} to references (off for the offline miner, whose selection
     *                   already applies its thresholds)
     * @param allEdits   every edit of the merge tree and the leaves, by id, for provenance
     * @param outcomes   trajectory id → success
     */
    public static Result finish(SkillBundle s0, Patch pStar, PatchPolicy policy, int minSupport, boolean route,
                                Map<String, Edit> allEdits, Map<String, Boolean> outcomes) {
        return finish(s0, pStar, policy, minSupport, route, allEdits, outcomes, TaskSupport.PER_TRAJECTORY, Map.of(), java.util.Set.of());
    }

    /**
     * @param tasks    trajectory → task (and weight): {@code minSupport} and the provenance count tasks
     * @param rejected attributions the check rejected, by the output edit they were claimed for (for provenance)
     * @param unverified trajectories whose unverified error patches were pooled (marked in the provenance)
     */
    public static Result finish(SkillBundle s0, Patch pStar, PatchPolicy policy, int minSupport, boolean route,
                                Map<String, Edit> allEdits, Map<String, Boolean> outcomes, TaskSupport tasks,
                                Map<String, List<Attribution>> rejected, java.util.Set<String> unverified) {
        List<EditDecision> decisions = new ArrayList<>();
        Patch p = pStar.withEditIds();
        if (route) {
            PrevalenceRouter.Output routed = PrevalenceRouter.route(p, s0, minSupport, tasks);
            decisions.addAll(routed.decisions());
            p = routed.patch();
        }
        PatchPolicy relaxed = policy.withLimits(new SkillLimits(Integer.MAX_VALUE, Integer.MAX_VALUE));
        PatchApplier.Result applied = new PatchApplier(relaxed).apply(s0, p);
        if (!applied.ok()) {
            DeterministicMerger.Output repaired = new DeterministicMerger(policy).merge(p.id() + ".final", s0, List.of(p));
            for (EditDecision d : repaired.decisions()) {
                if (d.action() == EditDecision.Action.DROPPED) {
                    decisions.add(d);
                }
            }
            p = repaired.patch();
            applied = new PatchApplier(relaxed).apply(s0, p);
            if (!applied.ok()) {
                throw new EvolutionFailed("p* cannot be applied to S0: " + applied.conflicts().stream().map(Conflict::toString).toList());
            }
            repaired.patch().edits().forEach(e -> allEdits.put(e.id(), e));
        }
        p.edits().forEach(e -> allEdits.putIfAbsent(e.id(), e));
        SkillFitter.Output fitted = SkillFitter.fit(applied.skill(), policy.limits());
        List<Violation> violations = new SkillValidator(policy.limits()).validate(fitted.skill());
        if (!violations.isEmpty()) {
            throw new EvolutionFailed("S* breaks the Agent Skills rules: " + violations);
        }
        SkillBundle sStar = fitted.skill();
        return new Result(sStar, p, decisions, fitted.moves(), SkillDiff.unified(s0, sStar),
                Provenance.compute(s0, sStar, p.edits(), allEdits, outcomes, tasks, rejected, unverified));
    }
}
