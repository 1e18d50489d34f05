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
            PatchApplier applier = new PatchApplier(policy);
            for (Conflict c : applier.check(s0, patch)) {
                problems.add(c.toString());
            }
            if (problems.isEmpty()) {
                PatchApplier.Result applied = applier.apply(s0, patch);
                if (applied.ok()) {
                    SkillValidator validator = new SkillValidator(policy.limits());
                    Set<String> before = new HashSet<>();
                    validator.warnings(s0).forEach(v -> before.add(v.file() + " " + v.rule()));
                    for (Violation w : validator.warnings(applied.skill())) {
                        if (!before.contains(w.file() + " " + w.rule())) {
                            problems.add(w.file() + ": " + w.message());
                        }
                    }
                }
            }
        }
        return problems.isEmpty() ? Validation.valid(patch) : Validation.invalid(problems);
    }
}
