package dev.trace2skill.worker;

import dev.trace2skill.core.json.ModelOutput;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.RepairLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * Creation mode without a human S0: one model call drafts an initial skill from the model's parametric knowledge (the
 * paper's "parametric" skill), validated with the Agent Skills rules and repaired at most {@code max-repairs} times.
 * For the offline engine, which has no model, the draft is a minimal skeleton that the mined findings will fill.
 */
@ApplicationScoped
public class SkillDrafter {
    @Inject
    ModelGateway models;
    @Inject
    RepairLoop loop;
    @Inject
    Prompts prompts;
    @Inject
    WorkerConfig config;

    public SkillDrafted draft(DraftRequest req) {
        if (req.config().engine() == AnalysisEngine.MINING) {
            return new SkillDrafted(req.runId(), SkillSnapshot.of(skeleton(req), 0), null, TokenUsage.ZERO);
        }
        ModelGateway.Target target = models.resolve(req.config().analystModel());
        StringBuilder samples = new StringBuilder();
        req.sampleQueries().forEach(q -> samples.append("- ").append(q.length() > 400 ? q.substring(0, 400) + "…" : q).append('\n'));
        RepairLoop.Outcome<SkillBundle> run = loop.run(target, List.of(prompts.system("draft-system", Map.of()),
                        prompts.user("draft-skill", Map.of("skill_name", req.skillName(), "domain", req.domain(),
                                "samples", samples.isEmpty() ? "(none)" : samples.toString()))),
                answer -> validate(req.skillName(), answer), RepairLoop.Rules.of("draft-repair", config.maxRepairs()));
        return run.ok()
                ? new SkillDrafted(req.runId(), SkillSnapshot.of(run.value(), 0), null, run.usage())
                : new SkillDrafted(req.runId(), null, "the draft broke the Agent Skills rules after " + config.maxRepairs()
                + " repairs: " + run.problems(), run.usage());
    }

    /** The drafted SKILL.md, checked with the Agent Skills rules. */
    static RepairLoop.Validation<SkillBundle> validate(String skillName, String answer) {
        SkillBundle draft = SkillBundle.ofText(skillName, Map.of(SkillBundle.SKILL_MD, skillMd(answer)));
        List<Violation> violations = new SkillValidator().validate(draft);
        return violations.isEmpty() ? RepairLoop.Validation.valid(draft)
                : RepairLoop.Validation.invalid(violations.stream().map(Violation::toString).toList());
    }

    /** The SKILL.md in a model answer: inside a code fence if it is wrapped in one, from its front matter's '---' on. */
    static String skillMd(String answer) {
        String t = ModelOutput.document(answer, "---");
        return t.endsWith("\n") ? t : t + "\n";
    }

    static SkillBundle skeleton(DraftRequest req) {
        String title = Character.toUpperCase(req.skillName().charAt(0)) + req.skillName().substring(1).replace('-', ' ');
        String description = ("Procedures for " + req.domain()).replaceAll("\\s+", " ").strip();
        if (description.length() > 900) {
            description = description.substring(0, 900);
        }
        String md = "---\nname: " + req.skillName() + "\ndescription: " + yamlString(description
                + ". Drafted without a model; its guidance is mined from agent trajectories.") + "\n---\n# " + title + "\n\n"
                + "## Overview\n\nThis skill covers " + req.domain().strip() + ".\n\n"
                + "## Procedure\n\nFollow the workflow patterns below and check each tool result before acting on it.\n";
        return SkillBundle.ofText(req.skillName(), Map.of(SkillBundle.SKILL_MD, md));
    }

    private static String yamlString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
