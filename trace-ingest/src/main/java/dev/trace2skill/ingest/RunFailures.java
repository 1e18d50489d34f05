package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.service.Outgoing;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * Runs that trace-ingest ends as failed, and the merger told so: the run is failed here with the reason, then a
 * {@code RUN_ABORTED} event goes on {@code run-events} for the merger, which closes the run's pool as failed with the
 * same reason instead of merging it (or, were its S* already made, stops treating it as done). Until the broker has
 * acknowledged the event the run is marked as unannounced, and {@link RunWatchdog} sends it again — so trace-ingest
 * and the merger agree on how a run ended even when Kafka was down at the moment it failed.
 */
@ApplicationScoped
public class RunFailures {
    private static final Logger LOG = Logger.getLogger(RunFailures.class);
    static final Duration ANNOUNCE_TIMEOUT = Duration.ofSeconds(15);

    @Inject
    RunStore runs;
    @Inject
    IngestMetrics metrics;
    @Inject
    @Channel("run-aborts")
    MutinyEmitter<String> aborts;

    /**
     * Fails the run (unless it already ended) and, with {@code tellMerger}, tells the merger. Returns whether the run
     * changed.
     */
    public boolean fail(String runId, String reason, boolean tellMerger) {
        boolean changed = runs.failed(runId, reason, tellMerger);
        if (changed) {
            LOG.warnf("run %s failed: %s", runId, reason);
            metrics.runFailed(tellMerger ? "trace-ingest" : "before-merger");
            if (tellMerger) {
                announce(runId, reason);
            }
        }
        return changed;
    }

    /** Sends RUN_ABORTED and records that the merger was told; a failure is left for the watchdog. */
    public boolean announce(String runId, String reason) {
        try {
            Outgoing.sendAllAndAwait(aborts, List.of(Outgoing.keyed(runId, Json.write(RunEvent.aborted(runId, reason)))), ANNOUNCE_TIMEOUT);
            runs.abortAnnounced(runId);
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("run %s: cannot tell the merger that the run failed yet (%s); trying again later", runId, e.getMessage());
            return false;
        }
    }
}
