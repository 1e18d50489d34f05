package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.Prompts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A+ (Trace2Skill §2.3): one model call over (frozen S0, successful trajectory) → a patch capturing the generalisable
 * behaviour behind the success. An invalid patch goes back with its problems, at most {@code max-repairs} times.
 */
@ApplicationScoped
public class SuccessAnalyst {
    @Inject
    ModelGateway models;
    @Inject
    Prompts prompts;
    @Inject
    WorkerConfig config;

    Analysis analyse(AnalysisContext ctx) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(prompts.render("success-analyst", Map.of())));
        messages.add(UserMessage.from(prompts.render("analysis-input", ctx.inputValues())));
        for (int attempt = 0; ; attempt++) {
            ModelGateway.Reply reply = models.chat(ctx.model, messages, List.of());
            ctx.spend(reply);
            if (ctx.overBudget()) {
                return ctx.failed("token budget of " + ctx.tokenBudget + " exhausted after " + ctx.calls + " calls");
            }
            String text = reply.text() == null ? "" : reply.text();
            PatchCheck.Checked checked = PatchCheck.check(ctx.patchId(), text, ctx.s0, ctx.policy, ctx.job.trajectory().id());
            if (checked.ok()) {
                return new Analysis(checked.patch(), null, null, ctx.usage, ctx.calls, ctx.repairs);
            }
            if (attempt >= config.maxRepairs()) {
                return ctx.failed("invalid patch after " + ctx.repairs + " repairs: " + String.join("; ", checked.problems()));
            }
            ctx.repairs++;
            messages.add(AiMessage.from(text));
            messages.add(UserMessage.from(prompts.render("repair", Map.of("errors", PatchCheck.bullets(checked.problems())))));
        }
    }
}
