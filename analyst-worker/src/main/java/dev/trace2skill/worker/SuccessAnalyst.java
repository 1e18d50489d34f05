package dev.trace2skill.worker;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.RepairLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * A+ (Trace2Skill §2.3): one model call over (frozen S0, successful trajectory) → a patch capturing the generalisable
 * behaviour behind the success. An invalid patch goes back with its problems, at most {@code max-repairs} times.
 */
@ApplicationScoped
public class SuccessAnalyst {
    @Inject
    RepairLoop loop;
    @Inject
    Prompts prompts;
    @Inject
    WorkerConfig config;

    Analysis analyse(AnalysisContext ctx) {
        RepairLoop.Outcome<Patch> run = loop.run(ctx.model,
                List.of(prompts.system("success-analyst", Map.of()), prompts.user("analysis-input", ctx.inputValues())),
                ctx::validate, RepairLoop.Rules.of("repair", config.maxRepairs()).budget(ctx.tokenBudget));
        ctx.account(run.usage(), run.calls(), run.repairs());
        return switch (run.end()) {
            case VALID -> new Analysis(run.value(), null, null, ctx.usage, ctx.calls, ctx.repairs);
            case INVALID -> ctx.failed("invalid patch after " + ctx.repairs + " repairs: " + String.join("; ", run.problems()));
            case BUDGET -> ctx.failed("token budget of " + ctx.tokenBudget + " exhausted after " + ctx.calls + " calls");
        };
    }
}
