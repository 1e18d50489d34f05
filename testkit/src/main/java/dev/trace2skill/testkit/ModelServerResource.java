package dev.trace2skill.testkit;

import dev.trace2skill.modelsim.ScriptedModelServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A scripted OpenAI-compatible model server for a test JVM, configured as the service's default model endpoint
 * ({@code t2s.models.endpoints.default.base-url}). Tests add scripts through {@link #server()}.
 */
public class ModelServerResource implements QuarkusTestResourceLifecycleManager {
    private static ScriptedModelServer server;

    public static synchronized ScriptedModelServer server() {
        if (server == null) {
            server = ScriptedModelServer.start();
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("t2s.models.endpoints.default.base-url", server().baseUrl(),
                "t2s.models.endpoints.default.api-key", "test-key");
    }

    @Override
    public void stop() {
        // shared by the test classes of the JVM
    }
}
