package dev.trace2skill.modelsim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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

    private final Map<String, TimedSlots> roles;

    private RoleLatencyModelServer(int port, Function<ChatRequest, Reply> responder, Map<String, TimedSlots> roles) {
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
        Map<String, TimedSlots> roles = new java.util.concurrent.ConcurrentHashMap<>();
        lanes.forEach((name, lane) -> roles.put(name, new TimedSlots(lane.slots(), lane.latency())));
        Function<ChatRequest, Reply> timed = request -> {
            String role = classify.apply(request);
            return roles.computeIfAbsent(role == null ? "unknown" : role, k -> new TimedSlots(0, Duration.ZERO)).serve(request, answer);
        };
        return new RoleLatencyModelServer(port, timed, roles);
    }

    /** Per role (configured ones first, in their order, then any other seen): calls, peak in flight, queue wait. */
    public Map<String, RoleStats> stats() {
        Map<String, RoleStats> out = new LinkedHashMap<>();
        roles.forEach((name, c) -> out.put(name, new RoleStats(c.calls(), c.peak(), c.queueWait())));
        return new java.util.TreeMap<>(out);
    }

    public RoleStats stats(String role) {
        TimedSlots c = roles.get(role);
        return c == null ? new RoleStats(0, 0, Duration.ZERO) : new RoleStats(c.calls(), c.peak(), c.queueWait());
    }

    /** Calls of the role holding a slot right now. */
    public int inFlight(String role) {
        TimedSlots c = roles.get(role);
        return c == null ? 0 : c.inFlight();
    }

    /** Starts counting peaks afresh (e.g. after a warm-up). */
    public void resetPeaks() {
        roles.values().forEach(TimedSlots::resetPeak);
    }
}
