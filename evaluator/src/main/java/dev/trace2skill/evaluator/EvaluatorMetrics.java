package dev.trace2skill.evaluator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Evaluator metrics: episodes by status and model, episode latency, agent tokens, episodes in flight, evaluations by
 * how they ended, external results by source and outcome, trajectories sent on to trace-ingest.
 */
@ApplicationScoped
public class EvaluatorMetrics {
    @Inject
    MeterRegistry registry;

    private final AtomicInteger inFlight = new AtomicInteger();
    @Inject
    ExperimentStore experiments;
    private final AtomicInteger running = new AtomicInteger();

    @PostConstruct
    void init() {
        Gauge.builder("t2s.eval.episodes.in_flight", inFlight, AtomicInteger::get).description("agent episodes running now")
                .register(registry);
        Gauge.builder("t2s.eval.evaluations.running", running, AtomicInteger::get).description("built-in evaluations running now")
                .register(registry);
        Gauge.builder("t2s.experiments.running", experiments, e -> e.running().size()).description("experiments running now")
                .register(registry);
    }

    void episodeStarted() {
        inFlight.incrementAndGet();
    }

    void episodeFinished(String status, String model, Duration took, long promptTokens, long completionTokens) {
        inFlight.decrementAndGet();
        Counter.builder("t2s.eval.episodes").description("episodes finished, by status").tags("status", status, "model", model)
                .register(registry).increment();
        Timer.builder("t2s.eval.episode.duration").description("time of one agent episode").tags("model", model)
                .publishPercentileHistogram().register(registry).record(took);
        tokens(model, promptTokens, completionTokens);
    }

    void tokens(String model, long promptTokens, long completionTokens) {
        Counter.builder("t2s.eval.tokens").description("tokens the skill-user agents spent").tags("model", model, "type", "prompt")
                .register(registry).increment(promptTokens);
        Counter.builder("t2s.eval.tokens").tags("model", model, "type", "completion").register(registry).increment(completionTokens);
    }

    void evaluationEnded(EvaluationStatus status) {
        Counter.builder("t2s.eval.evaluations").description("evaluations ended, by status").tags("status", status.wire())
                .register(registry).increment();
    }

    void runnerStarted() {
        running.incrementAndGet();
    }

    void runnerStopped() {
        running.decrementAndGet();
    }

    void externalResult(String source, String outcome) {
        Counter.builder("t2s.eval.external.results").description("results from external runners, by source and outcome")
                .tags("source", source, "outcome", outcome).register(registry).increment();
    }

    void experimentStage(ExperimentStatus.Stage stage) {
        Counter.builder("t2s.experiments.stages").description("experiment stages entered").tags("stage", stage.wire())
                .register(registry).increment();
    }

    void experimentEnded(ExperimentStatus status) {
        Counter.builder("t2s.experiments").description("experiments ended, by status").tags("status", status.wire())
                .register(registry).increment();
    }

    void trajectorySent(boolean ok) {
        Counter.builder("t2s.eval.trajectories.sent").description("episodes sent to trace-ingest as trajectories")
                .tags("outcome", ok ? "ok" : "failed").register(registry).increment();
    }
}
