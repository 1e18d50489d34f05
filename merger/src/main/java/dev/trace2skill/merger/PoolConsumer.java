package dev.trace2skill.merger;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Instant;
import java.util.Map;

/**
 * Collects patch pools: each patch result is stored (idempotently, by patch id) before its offset is committed, and a
 * run becomes ready when every published job has a patch or a recorded failure, or when its merge window closes (no
 * result for the idle timeout, or the run's cap). A result that arrives after its run's merge started is stored as
 * late, counted, and announced on {@code run-events}. Also notes which registry version a run's S* became (a
 * {@code SKILL_REGISTERED} run event from trace-ingest). Poison messages go to {@code merger-dlq} with the reason; the
 * consumer keeps going.
 */
@ApplicationScoped
public class PoolConsumer {
    @Inject
    MergerStore store;
    @Inject
    MergerConfig config;
    @Inject
    MergeScheduler scheduler;
    @Inject
    MergerMetrics metrics;
    @Inject
    MergeService merges;

    @Incoming("runs")
    @Blocking
    public void run(String json) {
        RunStarted r = Json.read(json, RunStarted.class);
        store.saveRun(r, config.stragglerTimeout());
        scheduler.check();
    }

    /**
     * trace-ingest's events on {@code run-events}: S* stored as a registry version (S* served here carries that version
     * from now on, and a run that waited for approval is done), held for approval (the run needs approval here too),
     * rejected by a person (the run failed), or the run failed in trace-ingest (RUN_ABORTED: the pool is closed as failed
     * with the same reason, merged or not, also when the abort comes before the run is known here).
     */
    @Incoming("skill-registrations")
    @Blocking
    public void runEvent(String json) {
        RunEvent e = Json.read(json, RunEvent.class);
        if (e.type() == RunEvent.Type.RUN_ABORTED && e.runId() != null) {
            if (store.aborted(e.runId(), e.message() == null ? "failed in trace-ingest" : e.message())) {
                metrics.aborted();
            }
            return;
        }
        if (e.type() == RunEvent.Type.RUN_CANCELLED && e.runId() != null) {
            // a run cancelled at trace-ingest is never merged (a merge already under way finishes, and trace-ingest
            // does not register its S*)
            store.cancelled(e.runId(), e.message() == null ? "cancelled" : e.message());
            return;
        }
        if (e.runId() == null || store.run(e.runId()).isEmpty()) {
            return;
        }
        MergeStatus now = store.run(e.runId()).get().status();
        switch (e.type()) {
            case SKILL_REGISTERED -> {
                if (e.skillVersion() != null) {
                    store.registered(e.runId(), e.skillVersion());
                }
                if (now == MergeStatus.NEEDS_APPROVAL) {
                    store.status(e.runId(), MergeStatus.DONE, "S* approved: " + e.message());
                }
            }
            case SKILL_HELD -> {
                if (now == MergeStatus.DONE || now == MergeStatus.NEEDS_APPROVAL) {
                    store.status(e.runId(), MergeStatus.NEEDS_APPROVAL, e.message());
                }
            }
            case SKILL_REJECTED -> {
                if (now != MergeStatus.FAILED) {
                    store.status(e.runId(), MergeStatus.FAILED, e.message());
                }
            }
            default -> {
            }
        }
    }

    @Incoming("patch-results")
    @Blocking
    public void patch(String json) {
        PatchResult p = Json.read(json, PatchResult.class);
        if (p.patchId() == null || p.runId() == null || p.jobId() == null || p.trajectoryId() == null || p.status() == null) {
            throw new IllegalArgumentException("a patch result needs patchId, runId, jobId, trajectoryId and status");
        }
        MergerStore.Saved saved = store.savePatch(p);
        metrics.patchReceived(p.status().name(), saved != MergerStore.Saved.DUPLICATE);
        switch (saved) {
            case POOLED -> scheduler.check();
            case LATE -> {
                metrics.lateResult();
                int late = store.window(p.runId()).late();
                merges.event(new RunEvent(p.runId(), RunEvent.Type.RESULT_LATE, null, null, null, null, null,
                        "result for " + p.trajectoryId() + " arrived after the merge started: stored, not merged",
                        Instant.now(), Map.of("late", late)));
            }
            case DUPLICATE -> {
            }
        }
    }
}
