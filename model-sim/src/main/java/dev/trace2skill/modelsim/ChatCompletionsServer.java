package dev.trace2skill.modelsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An OpenAI-compatible HTTP server on 127.0.0.1 ({@code POST /v1/chat/completions}, {@code GET /v1/models}) whose
 * answers come from a function of the request. Each request is served on its own virtual thread.
 */
public class ChatCompletionsServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final Function<ChatRequest, Reply> responder;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong served = new AtomicLong();

    protected ChatCompletionsServer(int port, Function<ChatRequest, Reply> responder) {
        this.responder = responder;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/v1/chat/completions", this::chat);
        http.createContext("/v1/models", this::models);
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The base URL clients configure, ending in {@code /v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** Chat completions answered so far (errors included). */
    public long served() {
        return served.get();
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void models(HttpExchange ex) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", "simulated").put("object", "model").put("owned_by", "trace2skill");
        send(ex, 200, body, Map.of());
    }

    private void chat(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, error("method not allowed", "invalid_request_error"), Map.of());
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(ex.getRequestBody());
            } catch (IOException e) {
                send(ex, 400, error("invalid JSON body: " + e.getMessage(), "invalid_request_error"), Map.of());
                return;
            }
            Map<String, String> headers = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
            ChatRequest request = new ChatRequest(body, headers);
            Reply reply;
            try {
                reply = responder.apply(request);
            } catch (RuntimeException e) {
                send(ex, 500, error("simulator script failed: " + e.getMessage(), "server_error"), Map.of());
                return;
            }
            served.incrementAndGet();
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (reply.status() != 200) {
                Map<String, String> extra = reply.retryAfter() == null ? Map.of() : Map.of("Retry-After", String.valueOf(reply.retryAfter()));
                String type = reply.status() == 429 ? "rate_limit_exceeded" : "server_error";
                send(ex, reply.status(), error("simulated " + reply.status(), type), extra);
                return;
            }
            send(ex, 200, completion(request, reply), Map.of());
        }
    }

    private ObjectNode completion(ChatRequest request, Reply reply) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", "chatcmpl-sim-" + ids.incrementAndGet());
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", request.model() == null ? "simulated" : request.model());
        ArrayNode choices = out.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (reply.content() == null) {
            message.putNull("content");
        } else {
            message.put("content", reply.content());
        }
        StringBuilder completionText = new StringBuilder(reply.content() == null ? "" : reply.content());
        if (!reply.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (Reply.ToolCall c : reply.toolCalls()) {
                ObjectNode call = calls.addObject();
                call.put("id", "call_" + ids.incrementAndGet());
                call.put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                completionText.append(c.name()).append(c.arguments());
            }
        }
        choice.put("finish_reason", reply.toolCalls().isEmpty() ? "stop" : "tool_calls");
        int prompt = reply.usage() != null ? reply.usage().promptTokens() : estimate(request.body().toString());
        int completion = reply.usage() != null ? reply.usage().completionTokens() : estimate(completionText.toString());
        out.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        return out;
    }

    /** About four characters per token, as for English text with common BPE vocabularies. */
    static int estimate(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private static ObjectNode error(String message, String type) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
        return body;
    }

    private static void send(HttpExchange ex, int status, JsonNode body, Map<String, String> headers) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
