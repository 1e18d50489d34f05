package dev.trace2skill.worker;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.service.Outgoing;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Consumes {@code analysis-jobs}: each job on a virtual thread, at most {@code t2s.worker.max-in-flight} at once and
 * within the memory budget ({@link JobResources}). The patch result is on {@code skill-patches} (acknowledged by the
 * broker) before the method returns, and only then is the job's offset committed — so a killed worker's unfinished
 * jobs are redelivered, and the patch id (run id + trajectory id + analyst) makes a redelivered job's patch a
 * duplicate, never a second patch.
 * <p>
 * No job can stop the consumer (issue 17). A job that cannot be analysed — malformed, its referenced trajectory
 * unreadable, its model unavailable after retries, its analysis failing in any way, its result larger than
 * {@code t2s.worker.max-result-bytes}, or started {@code t2s.worker.max-attempts} times without ever finishing (each
 * start stopped its worker) — is recorded as a failed analysis on {@code skill-patches} (so its run counts it and goes
 * on) where the job can be read at all, and goes to {@code analysis-jobs-dlq} with the reason, as a reference when it
 * is large (see {@link dev.trace2skill.service.DeadLetters}); the consumer takes the next job.
 */
@ApplicationScoped
public class JobConsumer {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);
    /** Publishing a result is retried this many times (a broker that is briefly away) before the job is given up. */
    static final int PUBLISH_ATTEMPTS = 4;

    @Inject
    AnalysisService analyses;
    @Inject
    SkillDrafter drafter;
    @Inject
    @Channel(Topics.SKILL_PATCHES)
    MutinyEmitter<String> patches;
    @Inject
    @Channel(Topics.SKILL_DRAFTS)
    MutinyEmitter<String> drafts;
    @Inject
    WorkerConfig config;
    @Inject
    WorkerMetrics metrics;
    @Inject
    AnalysisLedger ledger;
    @Inject
    JobResources resources;

    private Semaphore inFlight;

    @PostConstruct
    void init() {
        inFlight = new Semaphore(config.maxInFlight());
    }

    /** Why a job was given up; the message is the dead letter's reason. */
    static final class JobFailed extends RuntimeException {
        JobFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Incoming("analysis-jobs")
    @RunOnVirtualThread
    public void consume(String json) throws InterruptedException {
        AnalysisJob job;
        try {
            job = Json.read(json, AnalysisJob.class);
            if (job.runId() == null || job.trajectoryId() == null || job.skill() == null || job.analyst() == null || job.config() == null) {
                throw new IllegalArgumentException("a job needs runId, analyst, skill, a trajectory (or a reference to one) and config");
            }
        } catch (RuntimeException e) {
            metrics.deadLetter("malformed");
            throw new IllegalArgumentException("malformed analysis job: " + e.getMessage(), e);
        }
        int attempt = ledger.started(job.patchId(), job.runId(), config.instance());
        if (attempt > config.maxAttempts()) {
            giveUp(job, "the job was started " + (attempt - 1) + " times and never finished: its analysis stopped the worker each time"
                    + " (t2s.worker.max-attempts " + config.maxAttempts() + ")", "attempts", Instant.now(), null);
        }
        inFlight.acquire();
        metrics.started();
        Instant start = Instant.now();
        try (dev.trace2skill.service.MemoryBudget.Reservation ignored = resources.reserve(job, json.length())) {
            PatchResult result;
            try {
                result = analyses.analyse(resources.resolve(job));
            } catch (ModelGateway.ModelUnavailableException e) {
                giveUp(job, e.getMessage(), "model_unavailable", start, e);
                return;
            } catch (JobResources.TrajectoryUnavailableException e) {
                giveUp(job, e.getMessage(), "trajectory_unavailable", start, e);
                return;
            } catch (IllegalArgumentException e) {
                giveUp(job, e.getMessage(), "invalid_settings", start, e);
                return;
            } catch (RuntimeException | StackOverflowError e) {
                giveUp(job, "the analysis failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                        "analysis_error", start, e);
                return;
            }
            String value = Json.write(result);
            if (value.length() > config.maxResultBytes()) {
                giveUp(job, "the patch result is " + value.length() + " bytes, more than t2s.worker.max-result-bytes ("
                        + config.maxResultBytes() + "): " + (result.patch() == null ? 0 : result.patch().edits().size()) + " edits",
                        "result_too_large", start, null);
                return;
            }
            publish(job.runId(), value);
            ledger.recordFinished(result);
        } finally {
            metrics.finished();
            inFlight.release();
        }
    }

    /**
     * Records the job as a failed analysis (its run counts it and goes on), then throws for the dead-letter topic.
     */
    private void giveUp(AnalysisJob job, String reason, String kind, Instant start, Throwable cause) {
        PatchResult failed = analyses.failure(job, reason, Duration.between(start, Instant.now()));
        publish(job.runId(), Json.write(failed));
        ledger.recordFinished(failed);
        metrics.deadLetter(kind);
        LOG.warnf("job %s failed and goes to the dead-letter topic: %s", job.jobId(), reason);
        throw new JobFailed(reason, cause);
    }

    /** Sends a result and waits for the broker, retrying a few times over about half a minute. */
    private void publish(String runId, String value) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
            try {
                Outgoing.sendAllAndAwait(patches, List.of(Outgoing.keyed(runId, value)), Duration.ofSeconds(30));
                return;
            } catch (RuntimeException e) {
                last = e;
                LOG.warnf("publishing a result of run %s failed (attempt %d of %d): %s", runId, attempt, PUBLISH_ATTEMPTS, e.getMessage());
                try {
                    Thread.sleep(1_000L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last;
    }

    @Incoming("draft-requests")
    @RunOnVirtualThread
    public void draft(String json) {
        DraftRequest req = Json.read(json, DraftRequest.class);
        SkillDrafted drafted;
        try {
            drafted = drafter.draft(req);
        } catch (RuntimeException e) {
            // the run waits for an answer: tell it why there is no draft, then dead-letter the request
            Outgoing.sendAndAwait(drafts, req.runId(), Json.write(new SkillDrafted(req.runId(), null,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), TokenUsage.ZERO)));
            throw e;
        }
        Outgoing.sendAndAwait(drafts, req.runId(), Json.write(drafted));
    }
}
