package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.ToolBox;
import dev.trace2skill.model.Prompts;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.check.AnswerCheckers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A− (Trace2Skill §2.3): a multi-turn ReAct loop with tools over one failed trajectory. The analyst inspects the
 * trajectory and the skill, must get a corrected answer accepted by the task's checker when an expected answer exists
 * (that is how it verifies its root cause), then proposes a patch, which is validated against S0 like any model output.
 * Bounded by {@code error-max-turns} and the analysis' token budget.
 */
@ApplicationScoped
public class ErrorAnalyst {
    @Inject
    ModelGateway models;
    @Inject
    Prompts prompts;
    @Inject
    WorkerConfig config;

    Analysis analyse(AnalysisContext ctx) {
        String checkerName = String.valueOf(ctx.job.trajectory().metadata().getOrDefault("checker", "auto"));
        ErrorAnalysisTools tools = new ErrorAnalysisTools(ctx.job.trajectory(), ctx.s0, AnswerCheckers.byName(checkerName),
                config.maxObservationTokens(),
                text -> PatchCheck.check(ctx.patchId(), text, ctx.s0, ctx.policy, ctx.job.trajectory().id()));
        ToolBox box = ToolBox.of(tools);
        List<ToolSpecification> specs = box.specifications();
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(prompts.render("error-analyst", Map.of("max_turns", Integer.toString(config.errorMaxTurns())))));
        messages.add(UserMessage.from(prompts.render("analysis-input", ctx.inputValues())));
        for (int turn = 1; turn <= config.errorMaxTurns(); turn++) {
            ModelGateway.Reply reply = models.chat(ctx.model, messages, specs);
            ctx.spend(reply);
            AiMessage ai = reply.response().aiMessage();
            messages.add(ai);
            if (ai.hasToolExecutionRequests()) {
                for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
                    String result = box.execute(request);
                    messages.add(ToolExecutionResultMessage.from(request, result));
                }
            } else {
                // a model that answers in text instead of calling propose_patch: treat the text as its proposal
                String result = tools.proposePatch(ai.text() == null ? "" : ai.text());
                if (tools.accepted == null) {
                    messages.add(UserMessage.from(result + "\nUse the tools; submit the patch with propose_patch."));
                }
            }
            ctx.repairs = tools.invalidProposals;
            if (tools.accepted != null) {
                Boolean verified = tools.needsVerification() ? Boolean.TRUE : Boolean.FALSE;
                return new Analysis(tools.accepted, null, verified, ctx.usage, ctx.calls, ctx.repairs);
            }
            if (tools.invalidProposals > config.maxRepairs()) {
                return ctx.failed("invalid patch after " + config.maxRepairs() + " repairs: " + String.join("; ", tools.lastProblems));
            }
            if (ctx.overBudget()) {
                return ctx.failed("token budget of " + ctx.tokenBudget + " exhausted after " + turn + " turns");
            }
        }
        return ctx.failed(tools.needsVerification() && !tools.verified()
                ? "root cause not verified within " + config.errorMaxTurns() + " turns (" + tools.checks + " answers checked, none accepted)"
                : "no valid patch within " + config.errorMaxTurns() + " turns");
    }
}
