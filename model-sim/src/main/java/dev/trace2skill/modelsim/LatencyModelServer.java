package dev.trace2skill.modelsim;

import java.time.Duration;
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
    private final TimedSlots slots;

    private LatencyModelServer(int port, Function<ChatRequest, Reply> answer, TimedSlots slots) {
        super(port, answer);
        this.slots = slots;
    }

    public static LatencyModelServer start(int port, Duration latency, int slots, Function<ChatRequest, Reply> answer) {
        TimedSlots lane = new TimedSlots(slots, latency);
        return new LatencyModelServer(port, request -> lane.serve(request, answer), lane);
    }

    /** The most requests that were being served at once (≤ K). */
    public int peakConcurrency() {
        return slots.peak();
    }

    /** Requests holding a slot right now. */
    public int inFlight() {
        return slots.inFlight();
    }

    /** Time requests spent queued for a slot, summed over all requests so far. */
    public Duration queueWait() {
        return slots.queueWait();
    }

    /** Starts counting the peak afresh (e.g. after a benchmark's warm-up). */
    public void resetPeak() {
        slots.resetPeak();
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
