package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.RepairLoop;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillFiles;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.TrajectoryText;

import java.util.Map;

/**
 * One analysis in progress: the frozen S0, the budgets, and the tokens spent so far. The trajectory goes to the model
 * without its expected answer (unless {@code t2s.worker.reveal-expected}), inside a {@code <trajectory>} element that
 * its own text cannot close.
 */
final class AnalysisContext {
    final AnalysisJob job;
    final SkillBundle s0;
    final PatchPolicy policy;
    final ModelGateway.Target model;
    final long tokenBudget;
    final TrajectoryText.Budget textBudget;
    final boolean revealExpected;
    TokenUsage usage = TokenUsage.ZERO;
    int calls;
    int repairs;

    AnalysisContext(AnalysisJob job, SkillBundle s0, ModelGateway.Target model, WorkerConfig config) {
        this.job = job;
        this.s0 = s0;
        this.policy = PatchPolicy.of(job.config().mode());
        this.model = model;
        this.tokenBudget = budget(job, config);
        this.textBudget = new TrajectoryText.Budget(config.maxObservationTokens(), config.maxTrajectoryTokens());
        this.revealExpected = config.revealExpected();
    }

    /**
     * The smaller of the worker's per-analysis cap and the run's budget spread over its jobs, of which 80% is left for
     * analyses (the rest for merging).
     */
    static long budget(AnalysisJob job, WorkerConfig config) {
        long cap = config.maxTokensPerAnalysis();
        if (job.config().maxTokens() != null && job.totalJobs() > 0) {
            cap = Math.min(cap, Math.max(1, (long) (job.config().maxTokens() * 0.8 / job.totalJobs())));
        }
        return cap;
    }

    /** Parses a model's patch and checks it against S0. */
    RepairLoop.Validation<Patch> validate(String modelOutput) {
        return PatchCheck.check(patchId(), modelOutput, s0, policy, job.trajectory().id());
    }

    /** Records what an analyst's model interaction spent. */
    void account(TokenUsage spent, int modelCalls, int repairCount) {
        usage = usage.plus(spent);
        calls += modelCalls;
        repairs = repairCount;
    }

    String patchId() {
        return job.patchId();
    }

    /**
     * The values of the {@code analysis-input} prompt.
     *
     * @param context what this analyst gets besides the skill and the trajectory (the files the trajectory touched on,
     *                or the task's environment)
     */
    Map<String, String> inputValues(String context) {
        return Map.of("mode", job.config().mode().wire(), "skill_name", s0.name(),
                "skill", s0.has("SKILL.md") ? s0.text("SKILL.md") : "(empty)",
                "files", SkillFiles.renderIndex(s0),
                "context", context,
                "trajectory", asData(TrajectoryText.render(job.trajectory(), textBudget, revealExpected)));
    }

    private static final java.util.regex.Pattern CLOSING_TAG = java.util.regex.Pattern.compile("(?i)</(\\s*)trajectory");

    /** Trajectory text cannot end its own element: a closing tag inside it is escaped. */
    static String asData(String trajectoryText) {
        if (trajectoryText.indexOf("</") < 0) {
            return trajectoryText; // nothing could close the element: no copy
        }
        return CLOSING_TAG.matcher(trajectoryText).replaceAll("<\\\\/$1trajectory");
    }

    Analysis failed(String why) {
        return Analysis.failed(why, usage, calls, repairs);
    }
}
