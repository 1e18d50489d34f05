package dev.trace2skill.worker;

import dev.trace2skill.core.patch.Conflict;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchJson;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import dev.trace2skill.model.RepairLoop.Validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every model output is parsed and checked against the frozen S0 with the core's conflict checks before it counts as
 * a patch; a patch that applies must also not bring a skill-design warning S0 did not have (a README or a changelog in
 * the folder, angle brackets in the description: {@link SkillValidator#warnings}). The problems found are what goes
 * back to the model for repair.
 */
final class PatchCheck {
    private PatchCheck() {
    }

    static Validation<Patch> check(String patchId, String modelOutput, SkillBundle s0, PatchPolicy policy, String trajectoryId) {
        PatchJson.Parsed parsed = PatchJson.parse(patchId, modelOutput);
        List<String> problems = new ArrayList<>(parsed.errors());
        Patch patch = parsed.patch().supportedBy(trajectoryId).withEditIds();
        if (parsed.errors().isEmpty()) {
            // one apply gives both the conflicts and the patched skill (check() is an apply that keeps the conflicts)
            PatchApplier.Result applied = new PatchApplier(policy).apply(s0, patch);
            for (Conflict c : applied.conflicts()) {
                problems.add(c.toString());
            }
            if (problems.isEmpty() && applied.ok()) {
                SkillValidator validator = new SkillValidator(policy.limits());
                Set<String> before = s0.derived(new WarningsOf(policy.limits()), skill -> warningKeys(validator, skill));
                for (Violation w : validator.warnings(applied.skill())) {
                    if (!before.contains(w.file() + " " + w.rule())) {
                        problems.add(w.file() + ": " + w.message());
                    }
                }
            }
        }
        return problems.isEmpty() ? Validation.valid(patch) : Validation.invalid(problems);
    }

    /** The key of S0's own skill-design warnings among the bundle's derived values (S0 is checked once, not per patch). */
    private record WarningsOf(dev.trace2skill.core.skill.SkillLimits limits) {
    }

    private static Set<String> warningKeys(SkillValidator validator, SkillBundle skill) {
        Set<String> keys = new HashSet<>();
        validator.warnings(skill).forEach(v -> keys.add(v.file() + " " + v.rule()));
        return Set.copyOf(keys);
    }
}
