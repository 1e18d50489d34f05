package dev.trace2skill.modelsim;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A model server for benchmarks: every chat completion takes a fixed latency L while holding one of K slots, as a
 * GPU server with K concurrent sequences would; requests beyond K queue. Usage is estimated from the characters.
 * The answer comes from a function of the request (the benchmark supplies what analysts expect).
 *
 * <p>Run standalone: {@code java -jar model-sim.jar --port 9000 --latency-ms 200 --slots 16} answers every request with
 * an empty patch ({@code {"edits": []}}).
 */
public final class LatencyModelServer extends ChatCompletionsServer {
    private final AtomicInteger inFlight;
    private final AtomicInteger peak;
    private final AtomicLong queueWaitNanos;

    private LatencyModelServer(int port, Function<ChatRequest, Reply> answer, AtomicInteger inFlight, AtomicInteger peak,
                               AtomicLong queueWaitNanos) {
        super(port, answer);
        this.inFlight = inFlight;
        this.peak = peak;
        this.queueWaitNanos = queueWaitNanos;
    }

    public static LatencyModelServer start(int port, Duration latency, int slots, Function<ChatRequest, Reply> answer) {
        Semaphore semaphore = new Semaphore(slots, true);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicLong queueWait = new AtomicLong();
        Function<ChatRequest, Reply> timed = request -> {
            long arrived = System.nanoTime();
            semaphore.acquireUninterruptibly();
            queueWait.addAndGet(System.nanoTime() - arrived);
            try {
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                Thread.sleep(latency);
                return answer.apply(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reply.error(503);
            } finally {
                inFlight.decrementAndGet();
                semaphore.release();
            }
        };
        return new LatencyModelServer(port, timed, inFlight, peak, queueWait);
    }

    /** The most requests that were being served at once (≤ K). */
    public int peakConcurrency() {
        return peak.get();
    }

    /** Requests holding a slot right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Time requests spent queued for a slot, summed over all requests so far. */
    public Duration queueWait() {
        return Duration.ofNanos(queueWaitNanos.get());
    }

    /** Starts counting the peak afresh (e.g. after a benchmark's warm-up). */
    public void resetPeak() {
        peak.set(inFlight.get());
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 9000;
        long latencyMs = 200;
        int slots = 16;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--latency-ms" -> latencyMs = Long.parseLong(args[i + 1]);
                case "--slots" -> slots = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        LatencyModelServer server = start(port, Duration.ofMillis(latencyMs), slots, r -> Reply.text("{\"edits\": []}"));
        System.out.println("simulated model server on " + server.baseUrl() + " latency=" + latencyMs + "ms slots=" + slots);
        Thread.currentThread().join();
    }
}
