package dev.trace2skill.modelsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ModelSimTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> chat(String baseUrl, String userMessage) throws Exception {
        String body = JSON.createObjectNode().put("model", "qwen3")
                .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", userMessage)))
                .toString();
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer k")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void speaksChatCompletionsWithToolCallsUsageAndErrors() throws Exception {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.whenContains("trajectory t1", Reply.rateLimited(2), Reply.toolCall("read_steps", "{\"from\":0,\"to\":3}"))
                    .whenContains("trajectory t2", Reply.text("{\"edits\": []}").withUsage(120, 7), Reply.error(500));

            HttpResponse<String> limited = chat(server.baseUrl(), "analyse trajectory t1");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).contains("2");
            assertThat(JSON.readTree(limited.body()).path("error").path("type").asText()).isEqualTo("rate_limit_exceeded");

            JsonNode tool = JSON.readTree(chat(server.baseUrl(), "analyse trajectory t1").body());
            assertThat(tool.path("object").asText()).isEqualTo("chat.completion");
            assertThat(tool.path("model").asText()).isEqualTo("qwen3");
            JsonNode choice = tool.path("choices").get(0);
            assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
            JsonNode call = choice.path("message").path("tool_calls").get(0);
            assertThat(call.path("type").asText()).isEqualTo("function");
            assertThat(call.path("id").asText()).startsWith("call_");
            assertThat(call.path("function").path("name").asText()).isEqualTo("read_steps");
            assertThat(call.path("function").path("arguments").asText()).isEqualTo("{\"from\":0,\"to\":3}");
            assertThat(choice.path("message").path("content").isNull()).isTrue();
            assertThat(tool.path("usage").path("prompt_tokens").asInt()).isPositive();

            JsonNode text = JSON.readTree(chat(server.baseUrl(), "analyse trajectory t2").body());
            assertThat(text.path("choices").get(0).path("message").path("content").asText()).isEqualTo("{\"edits\": []}");
            assertThat(text.path("usage").path("prompt_tokens").asInt()).isEqualTo(120);
            assertThat(text.path("usage").path("total_tokens").asInt()).isEqualTo(127);
            assertThat(chat(server.baseUrl(), "analyse trajectory t2").statusCode()).isEqualTo(500);

            HttpResponse<String> unscripted = chat(server.baseUrl(), "something else");
            assertThat(unscripted.statusCode()).isEqualTo(500);
            assertThat(unscripted.body()).contains("no script matches");

            assertThat(server.requests()).hasSize(5);
            assertThat(server.requests().get(0).authorization()).isEqualTo("Bearer k");
            assertThat(server.unplayed()).isEmpty();
        }
    }

    @Test
    void latencyServerHoldsAtMostKSlots() throws Exception {
        try (LatencyModelServer server = LatencyModelServer.start(0, Duration.ofMillis(150), 2, r -> Reply.text("ok"))) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            long start = System.nanoTime();
            var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            for (int i = 0; i < 6; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return chat(server.baseUrl(), "x");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, threads));
            }
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                assertThat(c.get().statusCode()).isEqualTo(200);
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(server.peakConcurrency()).isEqualTo(2);
            // 6 requests through 2 slots of 150 ms cannot finish in under 3 rounds
            assertThat(elapsedMs).isGreaterThanOrEqualTo(450);
        }
    }

    @Test
    void roleServerHoldsEachRolesSlotsForItsLatencyAndCountsPerRole() throws Exception {
        java.util.Map<String, RoleLatencyModelServer.Lane> lanes = java.util.Map.of(
                "slow", new RoleLatencyModelServer.Lane(Duration.ofMillis(150), 2),
                "fast", new RoleLatencyModelServer.Lane(Duration.ZERO, 8));
        try (RoleLatencyModelServer server = RoleLatencyModelServer.start(0, lanes,
                r -> r.lastMessage().startsWith("slow") ? "slow" : r.lastMessage().startsWith("fast") ? "fast" : null,
                r -> Reply.text("ok"))) {
            var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                String message = i < 4 ? "slow " + i : i < 7 ? "fast " + i : "other";
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return chat(server.baseUrl(), message);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, threads));
            }
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                assertThat(c.get().statusCode()).isEqualTo(200);
            }
            // 4 slow requests through 2 slots of 150 ms: two rounds at least
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
            assertThat(server.stats("slow").calls()).isEqualTo(4);
            assertThat(server.stats("slow").peak()).isEqualTo(2);
            assertThat(server.stats("slow").queueWait()).isPositive();
            assertThat(server.stats("fast").calls()).isEqualTo(3);
            assertThat(server.stats("unknown").calls()).isEqualTo(1);
        }
    }
}
