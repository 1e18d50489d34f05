package dev.trace2skill.worker;

import dev.trace2skill.core.patch.Conflict;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchJson;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.model.RepairLoop.Validation;

import java.util.ArrayList;
import java.util.List;

/**
 * Every model output is parsed and checked against the frozen S0 with the core's conflict checks before it counts as
 * a patch. The problems found are what goes back to the model for repair.
 */
final class PatchCheck {
    private PatchCheck() {
    }

    static Validation<Patch> check(String patchId, String modelOutput, SkillBundle s0, PatchPolicy policy, String trajectoryId) {
        PatchJson.Parsed parsed = PatchJson.parse(patchId, modelOutput);
        List<String> problems = new ArrayList<>(parsed.errors());
        Patch patch = parsed.patch().supportedBy(trajectoryId).withEditIds();
        if (parsed.errors().isEmpty()) {
            for (Conflict c : new PatchApplier(policy).check(s0, patch)) {
                problems.add(c.toString());
            }
        }
        return problems.isEmpty() ? Validation.valid(patch) : Validation.invalid(problems);
    }
}
