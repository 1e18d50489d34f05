package dev.trace2skill.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Worker metrics: analyses by analyst and outcome, in flight, duration, verified error analyses, dead letters. */
@ApplicationScoped
public class WorkerMetrics {
    @Inject
    MeterRegistry registry;

    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peakInFlight = new AtomicInteger();

    @PostConstruct
    void init() {
        Gauge.builder("t2s.worker.analyses.in_flight", inFlight, AtomicInteger::get)
                .description("analyses running in this replica").register(registry);
    }

    void started() {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    void analysis(String analyst, String outcome, Duration took) {
        Counter.builder("t2s.worker.analyses").description("analyses by analyst and outcome")
                .tags("analyst", analyst, "outcome", outcome).register(registry).increment();
        Timer.builder("t2s.worker.analysis.duration").tags("analyst", analyst).publishPercentileHistogram()
                .register(registry).record(took);
    }

    /**
     * @param verified    whether the task's checker accepted a result the analyst produced
     * @param environment whether the analysis had a way to verify (the task's environment, or a revealed answer)
     */
    void errorAnalysis(boolean verified, boolean environment) {
        Counter.builder("t2s.worker.error_analyses").description("error analyses whose root cause the checker verified, or not, "
                        + "by whether the analysis had the task's environment to verify in")
                .tags("verified", Boolean.toString(verified), "environment", Boolean.toString(environment)).register(registry).increment();
    }

    void deadLetter(String reason) {
        Counter.builder("t2s.worker.dead_letters").description("jobs sent to analysis-jobs-dlq")
                .tags("reason", reason).register(registry).increment();
    }

    public int peakInFlight() {
        return peakInFlight.get();
    }
}
