package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The front door over HTTP: the bearer token on every request, HTTP/1.1 (trace-ingest speaks nothing else), and every
 * error answer turned into a {@link CliException} whose message is the problem's title and detail, then each field
 * problem on a line of its own.
 */
public final class Api {
    static final ObjectMapper JSON = new ObjectMapper();

    final String base;
    final String token;
    final HttpClient http;

    public Api(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10));
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    public JsonNode getJson(String path) {
        return json(send(request(path).header("Accept", "application/json").GET().build()));
    }

    public String getText(String path, String accept) {
        return new String(send(request(path).header("Accept", accept).GET().build()).body(), StandardCharsets.UTF_8);
    }

    public byte[] getBytes(String path, String accept) {
        return send(request(path).header("Accept", accept).GET().build()).body();
    }

    public JsonNode postJson(String path, String body) {
        return json(send(request(path).header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()));
    }

    public JsonNode post(String path, String contentType, HttpRequest.BodyPublisher body) {
        return json(send(request(path).header("Content-Type", contentType).header("Accept", "application/json").POST(body).build()));
    }

    /** A streamed body (a file of any size), read as it is sent. */
    public JsonNode postStream(String path, String contentType, Supplier<InputStream> body) {
        return post(path, contentType, HttpRequest.BodyPublishers.ofInputStream(body));
    }

    HttpResponse<byte[]> send(HttpRequest request) {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException(Exit.UNAVAILABLE, "cannot reach " + base + " (" + (e.getMessage() == null ? "connection refused" : e.getMessage())
                    + ") - is the stack up (./t2s up)? set --url or T2S_URL");
        } catch (IOException e) {
            throw new CliException(Exit.UNAVAILABLE, "request to " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(Exit.UNAVAILABLE, "interrupted");
        }
        if (r.statusCode() >= 400) {
            throw problem(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        }
        return r;
    }

    static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return r.body().length == 0 ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(Exit.UNAVAILABLE, "the answer is not JSON: " + e.getMessage());
        }
    }

    /** An error answer as lines: "title: detail", then "  field: message" for each field problem. */
    static CliException problem(int status, String body) {
        List<String> lines = new ArrayList<>();
        try {
            JsonNode p = JSON.readTree(body);
            String title = p.path("title").asText("HTTP " + status);
            String detail = p.path("detail").asText("");
            lines.add(title + (detail.isBlank() ? "" : ": " + detail) + " (HTTP " + status + ")");
            for (JsonNode e : p.path("errors")) {
                StringBuilder l = new StringBuilder("  ");
                if (e.has("record")) {
                    l.append("record ").append(e.path("record").asInt()).append(' ');
                }
                if (e.hasNonNull("id")) {
                    l.append('[').append(e.path("id").asText()).append("] ");
                }
                l.append(e.path("field").asText("(request)")).append(": ").append(e.path("message").asText(""));
                lines.add(l.toString());
            }
        } catch (IOException | RuntimeException e) {
            String first = body == null ? "" : body.lines().findFirst().orElse("");
            lines.add("HTTP " + status + (first.isBlank() ? "" : ": " + first));
        }
        return new CliException(Exit.forStatus(status), String.join("\n", lines));
    }
}
