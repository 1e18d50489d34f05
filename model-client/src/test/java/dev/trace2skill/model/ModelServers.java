package dev.trace2skill.model;

import dev.trace2skill.modelsim.LatencyModelServer;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.time.Duration;
import java.util.Map;

/**
 * Real OpenAI-compatible servers for this module's tests, on free ports: a scripted one as the endpoint
 * {@code default}, and one whose every answer takes 200 ms (counting how many it serves at once) as the endpoint
 * {@code narrow}, which this replica may call at most twice at a time, and one that answers too late for the endpoint
 * {@code stalled}.
 */
public class ModelServers implements QuarkusTestResourceLifecycleManager {
    private static ScriptedModelServer scripted;
    private static LatencyModelServer slow;
    private static LatencyModelServer stalled;

    static synchronized ScriptedModelServer scripted() {
        if (scripted == null) {
            scripted = ScriptedModelServer.start();
        }
        return scripted;
    }

    static synchronized LatencyModelServer slow() {
        if (slow == null) {
            slow = LatencyModelServer.start(0, Duration.ofMillis(200), 16, r -> Reply.text("slow answer"));
        }
        return slow;
    }

    /** Answers after 2 s, behind the endpoint {@code stalled}'s timeout of 300 ms. */
    static synchronized LatencyModelServer stalled() {
        if (stalled == null) {
            stalled = LatencyModelServer.start(0, Duration.ofSeconds(2), 0, r -> Reply.text("too late"));
        }
        return stalled;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("t2s.models.endpoints.default.base-url", scripted().baseUrl(),
                "t2s.models.endpoints.default.api-key", "test-key",
                "t2s.models.endpoints.narrow.base-url", slow().baseUrl(),
                "t2s.models.endpoints.narrow.max-concurrent", "2",
                "t2s.models.endpoints.stalled.base-url", stalled().baseUrl(),
                "t2s.models.endpoints.stalled.timeout", "300ms");
    }

    @Override
    public void stop() {
        synchronized (ModelServers.class) {
            if (scripted != null) {
                scripted.close();
                scripted = null;
            }
            if (slow != null) {
                slow.close();
                slow = null;
            }
            if (stalled != null) {
                stalled.close();
                stalled = null;
            }
        }
    }
}
