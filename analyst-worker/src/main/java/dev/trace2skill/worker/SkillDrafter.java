package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.Prompts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import dev.trace2skill.core.trajectory.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
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
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from("You write concise, correct agent skills in the Agent Skills format."));
        messages.add(UserMessage.from(prompts.render("draft-skill", Map.of("skill_name", req.skillName(), "domain", req.domain(),
                "samples", samples.isEmpty() ? "(none)" : samples.toString()))));
        TokenUsage usage = TokenUsage.ZERO;
        List<Violation> violations = List.of();
        for (int attempt = 0; attempt <= config.maxRepairs(); attempt++) {
            ModelGateway.Reply reply = models.chat(target, messages, List.of());
            usage = usage.plus(reply.usage());
            String text = skillMd(reply.text());
            SkillBundle draft = SkillBundle.ofText(req.skillName(), Map.of(SkillBundle.SKILL_MD, text));
            violations = new SkillValidator().validate(draft);
            if (violations.isEmpty()) {
                return new SkillDrafted(req.runId(), SkillSnapshot.of(draft, 0), null, usage);
            }
            messages.add(AiMessage.from(reply.text() == null ? "" : reply.text()));
            StringBuilder errors = new StringBuilder("The SKILL.md breaks the Agent Skills rules:\n");
            violations.forEach(v -> errors.append("- ").append(v).append('\n'));
            messages.add(UserMessage.from(errors + "Answer with the complete corrected SKILL.md only."));
        }
        return new SkillDrafted(req.runId(), null, "the draft broke the Agent Skills rules after " + config.maxRepairs()
                + " repairs: " + violations, usage);
    }

    /** The SKILL.md in a model answer: inside a code fence if there is one, from its first '---' line. */
    static String skillMd(String answer) {
        String t = answer == null ? "" : answer.strip();
        int fence = t.indexOf("```");
        if (fence >= 0) {
            int start = t.indexOf('\n', fence);
            int end = t.lastIndexOf("```");
            if (start > 0 && end > start) {
                t = t.substring(start + 1, end).strip();
            }
        }
        int fm = t.indexOf("---");
        t = fm > 0 ? t.substring(fm) : t;
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
