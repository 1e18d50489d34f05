package dev.trace2skill.worker;

import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.model.AgentLoop;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.ToolBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
    AgentLoop loop;
    @Inject
    Prompts prompts;
    @Inject
    WorkerConfig config;

    Analysis analyse(AnalysisContext ctx) {
        String checkerName = String.valueOf(ctx.job.trajectory().metadata().getOrDefault("checker", "auto"));
        ErrorAnalysisTools tools = new ErrorAnalysisTools(ctx.job.trajectory(), ctx.s0, AnswerCheckers.byName(checkerName),
                config.maxObservationTokens(), ctx::validate);
        AgentLoop.Rules rules = AgentLoop.Rules.turns(config.errorMaxTurns())
                .budget(ctx.tokenBudget)
                .doneWhen(() -> tools.accepted != null)
                // a model that answers in text instead of calling propose_patch: the text is its proposal
                .onText(text -> {
                    String result = tools.proposePatch(text);
                    return AgentLoop.TextReply.continueWith(prompts.render("use-tools", Map.of("result", result)));
                })
                .afterTurn(turn -> tools.invalidProposals > config.maxRepairs()
                        ? "invalid patch after " + config.maxRepairs() + " repairs: " + String.join("; ", tools.lastProblems)
                        : null);
        AgentLoop.Outcome run = loop.run(ctx.model, List.of(
                prompts.system("error-analyst", Map.of("max_turns", Integer.toString(config.errorMaxTurns()))),
                prompts.user("analysis-input", ctx.inputValues())), ToolBox.of(tools), rules).orThrow();
        ctx.account(run.usage(), run.calls(), tools.invalidProposals);
        return switch (run.end()) {
            case DONE -> new Analysis(tools.accepted, null, tools.needsVerification(), ctx.usage, ctx.calls, ctx.repairs);
            case STOPPED -> ctx.failed(run.reason());
            case BUDGET -> ctx.failed("token budget of " + ctx.tokenBudget + " exhausted after " + run.calls() + " turns");
            case MAX_TURNS, ANSWERED, UNAVAILABLE -> ctx.failed(tools.needsVerification() && !tools.verified()
                    ? "root cause not verified within " + config.errorMaxTurns() + " turns (" + tools.checks + " answers checked, none accepted)"
                    : "no valid patch within " + config.errorMaxTurns() + " turns");
        };
    }
}
