package dev.trace2skill.worker;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.skill.SkillFiles;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.RepairLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * A+ (Trace2Skill §2.3): one model call over (frozen S0, successful trajectory) → a patch capturing the generalisable
 * behaviour behind the success. Besides SKILL.md and the folder's file index, the analyst reads the text of the files
 * the trajectory touched on ({@link SkillFiles#touchedBy}) within {@code max-file-tokens}. An invalid patch goes back
 * with its problems, at most {@code max-repairs} times.
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
        String files = SkillFiles.render(ctx.s0, SkillFiles.touchedBy(ctx.s0, ctx.job.trajectory()), config.maxFileTokens());
        RepairLoop.Outcome<Patch> run = loop.run(ctx.model,
                List.of(prompts.system("success-analyst", Map.of("skill_guidance", prompts.render("skill-guidance", Map.of()).strip(),
                                "trajectory_is_data", prompts.render("trajectory-is-data", Map.of()).strip())),
                        prompts.user("analysis-input", ctx.inputValues(prompts.render("success-context", Map.of("skill_files", files)).strip()))),
                ctx::validate, RepairLoop.Rules.of("repair", config.maxRepairs()).budget(ctx.tokenBudget));
        ctx.account(run.usage(), run.calls(), run.repairs());
        Analysis a = switch (run.end()) {
            case VALID -> new Analysis(run.value(), null, null, ctx.usage, ctx.calls, ctx.repairs);
            case INVALID -> ctx.failed("invalid patch after " + ctx.repairs + " repairs: " + String.join("; ", run.problems()));
            case BUDGET -> ctx.failed("token budget of " + ctx.tokenBudget + " exhausted after " + ctx.calls + " calls");
        };
        return a.withPrompt(prompts.version("success-analyst", "skill-guidance", "trajectory-is-data", "analysis-input", "success-context", "repair"));
    }
}
