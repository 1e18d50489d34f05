package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;

import dev.trace2skill.core.merge.TaskSupport;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.PatchResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;

/** Runs the job's analyst and turns what it produced into a {@link PatchResult}. S0 is never mutated. */
@ApplicationScoped
public class AnalysisService {
    @Inject
    SuccessAnalyst success;
    @Inject
    ErrorAnalyst error;
    @Inject
    MiningAnalyst mining;
    @Inject
    ModelGateway models;
    @Inject
    WorkerConfig config;
    @Inject
    WorkerMetrics metrics;
    @Inject
    TaskReplays replays;
    @Inject
    SkillVersions skills;

    /**
     * @throws ModelGateway.ModelUnavailableException when the model stayed unreachable after retries (the job goes to
     *                                                 the dead-letter topic)
     */
    public PatchResult analyse(AnalysisJob job) {
        Instant start = Instant.now();
        boolean offline = job.config().engine() == AnalysisEngine.MINING;
        ModelGateway.Target target = offline ? null : models.resolve(job.config().analystModel());
        AnalysisContext ctx = new AnalysisContext(job, skills.of(job.skill()), target, config);
        Analysis a = switch (job.analyst()) {
            case MINING -> mining.analyse(ctx);
            case SUCCESS -> success.analyse(ctx);
            case ERROR -> error.analyse(ctx);
        };
        Duration took = Duration.between(start, Instant.now());
        metrics.analysis(job.analyst().wire(), a.patch() != null ? "proposed" : "failed", took);
        if (a.verified() != null && a.patch() != null) {
            metrics.errorAnalysis(a.verified(), a.groundTruth() != null && a.groundTruth());
        }
        return new PatchResult(job.runId(), job.jobId(), job.patchId(), job.trajectory().id(), job.trajectory().successful(),
                job.analyst(), a.patch() != null ? PatchResult.Status.PROPOSED : PatchResult.Status.FAILED, a.verified(),
                a.patch(), a.failure(), a.usage(), a.calls(), a.repairs(), took.toMillis(), config.instance())
                .withTask(TaskSupport.taskKey(job.trajectory()), a.groundTruth() != null ? a.groundTruth() : replays.groundTruth(job.trajectory()))
                .withAnalysis(a.promptVersion(), a.verification());
    }

    /**
     * The result recorded for a job whose analysis could not run (the run counts it as failed); for a job whose
     * referenced trajectory could not be read, from the reference alone.
     */
    public PatchResult failure(AnalysisJob job, String reason, Duration took) {
        metrics.analysis(job.analyst().wire(), "failed", took);
        return new PatchResult(job.runId(), job.jobId(), job.patchId(), job.trajectoryId(), job.trajectorySuccess(),
                job.analyst(), PatchResult.Status.FAILED, null, null, reason, null, 0, 0, took.toMillis(), config.instance())
                .withTask(job.trajectory() != null ? TaskSupport.taskKey(job.trajectory()) : TaskSupport.taskKey(null, null, job.trajectoryId()),
                        job.trajectory() != null ? replays.groundTruth(job.trajectory()) : null);
    }
}
