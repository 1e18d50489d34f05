package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.Topics;
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
import java.util.concurrent.Semaphore;

/**
 * Consumes {@code analysis-jobs}: each job on a virtual thread, at most {@code t2s.worker.max-in-flight} at once. The
 * patch result is on {@code skill-patches} (acknowledged by the broker) before the method returns, and only then is
 * the job's offset committed — so a killed worker's unfinished jobs are redelivered, and the patch id (run id +
 * trajectory id + analyst) makes a redelivered job's patch a duplicate, never a second patch. A malformed job, or one
 * whose model stayed unavailable after retries, goes to {@code analysis-jobs-dlq} with the reason.
 */
@ApplicationScoped
public class JobConsumer {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);

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

    private Semaphore inFlight;

    @PostConstruct
    void init() {
        inFlight = new Semaphore(config.maxInFlight());
    }

    @Incoming("analysis-jobs")
    @RunOnVirtualThread
    public void consume(String json) throws InterruptedException {
        AnalysisJob job;
        try {
            job = Json.read(json, AnalysisJob.class);
            if (job.runId() == null || job.trajectory() == null || job.skill() == null || job.analyst() == null || job.config() == null) {
                throw new IllegalArgumentException("a job needs runId, analyst, skill, trajectory and config");
            }
        } catch (IllegalArgumentException e) {
            metrics.deadLetter("malformed");
            throw new IllegalArgumentException("malformed analysis job: " + e.getMessage(), e);
        }
        inFlight.acquire();
        metrics.started();
        Instant start = Instant.now();
        try {
            PatchResult result;
            try {
                result = analyses.analyse(job);
            } catch (ModelGateway.ModelUnavailableException | IllegalArgumentException e) {
                PatchResult failed = analyses.failure(job, e.getMessage(), Duration.between(start, Instant.now()));
                Outgoing.sendAndAwait(patches, job.runId(), Json.write(failed));
                ledger.record(failed);
                metrics.deadLetter(e instanceof ModelGateway.ModelUnavailableException ? "model_unavailable" : "invalid_settings");
                LOG.warnf("job %s failed and goes to the dead-letter topic: %s", job.jobId(), e.getMessage());
                throw e;
            }
            Outgoing.sendAndAwait(patches, job.runId(), Json.write(result));
            ledger.record(result);
        } finally {
            metrics.finished();
            inFlight.release();
        }
    }

    @Incoming("draft-requests")
    @RunOnVirtualThread
    public void draft(String json) {
        DraftRequest req = Json.read(json, DraftRequest.class);
        var drafted = drafter.draft(req);
        Outgoing.sendAndAwait(drafts, req.runId(), Json.write(drafted));
    }
}
