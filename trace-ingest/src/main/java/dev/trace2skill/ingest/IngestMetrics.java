package dev.trace2skill.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Ingest counters: trajectories by format and result (with the rejection reason), bytes, runs started. */
@ApplicationScoped
public class IngestMetrics {
    @Inject
    MeterRegistry registry;

    public void trajectory(String format, String result, String reason) {
        Counter.builder("t2s.ingest.trajectories").description("trajectories received, by format, result and rejection reason")
                .tags("format", format, "result", result, "reason", reason == null ? "none" : reason)
                .register(registry).increment();
    }

    public void bytes(String format, long bytes) {
        Counter.builder("t2s.ingest.bytes").description("bytes of trajectory records ingested").baseUnit("bytes")
                .tags("format", format).register(registry).increment(bytes);
    }

    public void runStarted(String engine, String analysts, String mode) {
        Counter.builder("t2s.runs.started").description("evolution runs started")
                .tags("engine", engine, "analysts", analysts, "mode", mode).register(registry).increment();
    }

    public void jobsPublished(int n) {
        Counter.builder("t2s.runs.jobs.published").description("analysis jobs published").register(registry).increment(n);
    }

    public void publishFailed() {
        Counter.builder("t2s.runs.publish.failures").description("attempts at publishing a run's jobs that failed (retried, then the run fails)")
                .register(registry).increment();
    }

    public void runFailed(String origin) {
        Counter.builder("t2s.runs.failed").description("runs trace-ingest failed, by why: publish, draft, evolved (S* refused), watchdog")
                .tags("origin", origin).register(registry).increment();
    }
}
