package dev.trace2skill.modelsim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A latency-simulating model server with a latency L and K slots <em>per role</em>: each request is classified (e.g.
 * success analyst, error analyst, merge operator, from its system prompt or the tools it offers), holds one of its
 * role's K slots for the role's L, and is answered by a function of the request. Requests beyond a role's K queue (fair).
 * Calls, the peak in flight and the time queued for a slot are counted per role.
 *
 * <p>A role not configured is served at once (no latency, no slot) and counted under its name, so a benchmark sees
 * requests it did not expect instead of hanging on them.
 */
public final class RoleLatencyModelServer extends ChatCompletionsServer {

    /** A role's latency and slots. */
    public record Lane(Duration latency, int slots) {
        public Lane {
            if (slots < 1 || latency.isNegative()) {
                throw new IllegalArgumentException("a lane needs at least one slot and a latency >= 0");
            }
        }
    }

    /** What a role saw: calls answered, the most in flight at once, the total time queued for a slot. */
    public record RoleStats(long calls, int peak, Duration queueWait) {
    }

    private static final class Counters {
        final Semaphore slots;
        final Duration latency;
        final AtomicLong calls = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicLong queueNanos = new AtomicLong();

        Counters(Lane lane) {
            this.slots = lane == null ? null : new Semaphore(lane.slots(), true);
            this.latency = lane == null ? Duration.ZERO : lane.latency();
        }
    }

    private final Map<String, Counters> roles;

    private RoleLatencyModelServer(int port, Function<ChatRequest, Reply> responder, Map<String, Counters> roles) {
        super(port, responder);
        this.roles = roles;
    }

    /**
     * @param lanes    latency and slots per role name
     * @param classify the role of a request
     * @param answer   the answer to a request (called after the latency, while the slot is held)
     */
    public static RoleLatencyModelServer start(int port, Map<String, Lane> lanes, Function<ChatRequest, String> classify,
                                               Function<ChatRequest, Reply> answer) {
        Map<String, Counters> roles = new java.util.concurrent.ConcurrentHashMap<>();
        lanes.forEach((name, lane) -> roles.put(name, new Counters(lane)));
        Function<ChatRequest, Reply> timed = request -> {
            String role = classify.apply(request);
            Counters c = roles.computeIfAbsent(role == null ? "unknown" : role, k -> new Counters(null));
            long arrived = System.nanoTime();
            if (c.slots != null) {
                c.slots.acquireUninterruptibly();
            }
            c.queueNanos.addAndGet(System.nanoTime() - arrived);
            try {
                c.peak.accumulateAndGet(c.inFlight.incrementAndGet(), Math::max);
                if (!c.latency.isZero()) {
                    Thread.sleep(c.latency);
                }
                c.calls.incrementAndGet();
                return answer.apply(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reply.error(503);
            } finally {
                c.inFlight.decrementAndGet();
                if (c.slots != null) {
                    c.slots.release();
                }
            }
        };
        return new RoleLatencyModelServer(port, timed, roles);
    }

    /** Per role (configured ones first, in their order, then any other seen): calls, peak in flight, queue wait. */
    public Map<String, RoleStats> stats() {
        Map<String, RoleStats> out = new LinkedHashMap<>();
        roles.forEach((name, c) -> out.put(name, new RoleStats(c.calls.get(), c.peak.get(), Duration.ofNanos(c.queueNanos.get()))));
        return new java.util.TreeMap<>(out);
    }

    public RoleStats stats(String role) {
        Counters c = roles.get(role);
        return c == null ? new RoleStats(0, 0, Duration.ZERO) : new RoleStats(c.calls.get(), c.peak.get(), Duration.ofNanos(c.queueNanos.get()));
    }

    /** Calls of the role holding a slot right now. */
    public int inFlight(String role) {
        Counters c = roles.get(role);
        return c == null ? 0 : c.inFlight.get();
    }

    /** Starts counting peaks afresh (e.g. after a warm-up). */
    public void resetPeaks() {
        roles.values().forEach(c -> c.peak.set(c.inFlight.get()));
    }
}
