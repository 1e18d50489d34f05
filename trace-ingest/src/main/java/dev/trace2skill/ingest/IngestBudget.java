package dev.trace2skill.ingest;

import dev.trace2skill.service.MemoryBudget;
import dev.trace2skill.service.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.time.Duration;
import java.util.Optional;

/**
 * Bounds the heap that uploads in flight may take together, so that concurrent large bodies cannot exhaust it (four
 * concurrent 9.5 MB NDJSON lines once did, and the out-of-memory errors killed Kafka producer threads). An upload's
 * records stream one at a time, so what it holds at once is one record (its bytes, text, JSON tree and trajectory,
 * several copies of the record's size: {@value #RECORD_FACTOR}× is reserved) and one batch of parsed trajectories
 * ({@value #BATCH_FACTOR}× the batch's bytes). Each upload reserves that much of {@code t2s.ingest.memory-budget}
 * (default: half the maximum heap) for the smaller of its length and the per-record and per-batch limits — a 10 KB
 * push reserves ~100 KB, a chunked upload of unknown length the full 8 × 10 MB + 2 × 8 MB — before it reads its first
 * byte, and returns it when done. An upload whose reservation is larger than the whole budget takes the whole budget.
 * When the budget is taken, a request waits up to {@code t2s.ingest.budget-wait} (5 s) and is then refused with 503
 * and {@code Retry-After}; a background import waits as long as it takes.
 */
@ApplicationScoped
public class IngestBudget {
    static final int RECORD_FACTOR = 8;
    static final int BATCH_FACTOR = 2;

    @ConfigProperty(name = "t2s.ingest.memory-budget")
    Optional<MemorySize> configured;
    @ConfigProperty(name = "t2s.ingest.budget-wait", defaultValue = "5s")
    Duration budgetWait;
    @ConfigProperty(name = "t2s.ingest.max-trajectory-bytes", defaultValue = "10485760")
    long maxRecordBytes;
    @ConfigProperty(name = "t2s.ingest.batch-bytes", defaultValue = "8388608")
    long batchBytes;
    @Inject
    MeterRegistry registry;

    private MemoryBudget budget;

    @PostConstruct
    void init() {
        budget = new MemoryBudget(configured.map(MemorySize::asLongValue).orElse(MemoryBudget.halfTheHeap()), registry,
                "t2s.ingest.memory", "uploads in flight");
    }

    /** What an upload of {@code length} bytes (negative: unknown) may hold at once, in bytes. */
    long estimate(long length) {
        long len = length < 0 ? Long.MAX_VALUE : length;
        return RECORD_FACTOR * Math.min(len, maxRecordBytes) + BATCH_FACTOR * Math.min(len, batchBytes);
    }

    /** For a request: waits up to the budget wait, then refuses with 503 and Retry-After. */
    public MemoryBudget.Reservation reserve(long length) {
        MemoryBudget.Reservation r = budget.tryReserve(estimate(length), budgetWait);
        if (r != null) {
            return r;
        }
        Counter.builder("t2s.ingest.busy").description("uploads refused with 503 because uploads in flight held the memory budget")
                .register(registry).increment();
        throw new Busy(retryAfterSeconds());
    }

    /** For a background import: waits as long as it takes. */
    public MemoryBudget.Reservation reserveWaiting(long length) throws InterruptedException {
        return budget.reserve(estimate(length));
    }

    private long retryAfterSeconds() {
        return Math.max(1, budgetWait.toSeconds());
    }

    /** The upload did not get its share of the memory budget in time. */
    public static final class Busy extends RuntimeException {
        final long retryAfter;

        Busy(long retryAfter) {
            super("uploads in flight hold the memory budget", null, false, false);
            this.retryAfter = retryAfter;
        }
    }

    /** 503 with Retry-After and a problem body naming what to do. */
    public static class Mapper {
        @ServerExceptionMapper
        public Response busy(Busy e) {
            Problem p = Problem.of(503, "Busy", "uploads in flight hold trace-ingest's memory budget for uploads"
                    + " (t2s.ingest.memory-budget); send again after " + e.retryAfter + " s, or import in the background with ?async=true");
            return Response.status(503).type(Problem.PROBLEM_JSON).header("Retry-After", Long.toString(e.retryAfter)).entity(p).build();
        }
    }
}
