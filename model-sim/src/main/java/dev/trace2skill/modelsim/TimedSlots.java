package dev.trace2skill.modelsim;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * K slots, each held for a latency L per request, as a GPU server with K concurrent sequences serves them: requests
 * beyond K queue (fair). Counts the calls answered, the requests holding a slot, their peak and the time queued. The
 * one mechanism of {@link LatencyModelServer} (one lane) and {@link RoleLatencyModelServer} (a lane per role).
 */
final class TimedSlots {
    private final Semaphore slots;
    private final Duration latency;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong queueNanos = new AtomicLong();

    /**
     * @param slots   K, or 0 for no slot at all (served at once)
     * @param latency L
     */
    TimedSlots(int slots, Duration latency) {
        this.slots = slots > 0 ? new Semaphore(slots, true) : null;
        this.latency = latency;
    }

    /** Waits for a slot, holds it for the latency, then answers while still holding it. */
    Reply serve(ChatRequest request, Function<ChatRequest, Reply> answer) {
        long arrived = System.nanoTime();
        if (slots != null) {
            slots.acquireUninterruptibly();
        }
        queueNanos.addAndGet(System.nanoTime() - arrived);
        try {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            if (!latency.isZero()) {
                Thread.sleep(latency);
            }
            calls.incrementAndGet();
            return answer.apply(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error(503);
        } finally {
            inFlight.decrementAndGet();
            if (slots != null) {
                slots.release();
            }
        }
    }

    long calls() {
        return calls.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    int peak() {
        return peak.get();
    }

    Duration queueWait() {
        return Duration.ofNanos(queueNanos.get());
    }

    /** Starts counting the peak afresh (e.g. after a warm-up). */
    void resetPeak() {
        peak.set(inFlight.get());
    }
}
