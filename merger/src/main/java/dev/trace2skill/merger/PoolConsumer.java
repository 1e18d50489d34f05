package dev.trace2skill.merger;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Collects patch pools: each patch result is stored (idempotently, by patch id) before its offset is committed, and a
 * run becomes ready when every published job has a patch or a recorded failure. Also notes which registry version a
 * run's S* became (a {@code SKILL_REGISTERED} run event from trace-ingest). Poison messages go to
 * {@code merger-dlq} with the reason; the consumer keeps going.
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

    @Incoming("runs")
    @Blocking
    public void run(String json) {
        RunStarted r = Json.read(json, RunStarted.class);
        store.saveRun(r, config.stragglerTimeout());
        scheduler.check();
    }

    /** trace-ingest stored S* as a registry version: S* served here carries that version from now on. */
    @Incoming("run-events")
    @Blocking
    public void runEvent(String json) {
        RunEvent e = Json.read(json, RunEvent.class);
        if (e.type() == RunEvent.Type.SKILL_REGISTERED && e.runId() != null && e.skillVersion() != null) {
            store.registered(e.runId(), e.skillVersion());
        }
    }

    @Incoming("patch-results")
    @Blocking
    public void patch(String json) {
        PatchResult p = Json.read(json, PatchResult.class);
        if (p.patchId() == null || p.runId() == null || p.jobId() == null || p.trajectoryId() == null || p.status() == null) {
            throw new IllegalArgumentException("a patch result needs patchId, runId, jobId, trajectoryId and status");
        }
        boolean fresh = store.savePatch(p);
        metrics.patchReceived(p.status().name(), fresh);
        if (fresh) {
            scheduler.check();
        }
    }
}
