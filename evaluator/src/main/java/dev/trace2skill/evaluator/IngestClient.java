package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Trajectory;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * trace-ingest over its REST API: skill versions by {@code name@version}, and episodes sent on as trajectories (Stage 1
 * trajectory generation: run S0 on D_evolve, get trajectories to analyse).
 */
@ApplicationScoped
public class IngestClient {
    @Inject
    EvaluatorConfig config;

    private HttpClient http;

    /** trace-ingest could not be reached or answered with an unexpected status. */
    public static final class IngestUnavailableException extends RuntimeException {
        IngestUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @PostConstruct
    void init() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The version {@code v} of skill {@code name}, or empty when the registry has no such version. */
    public Optional<SkillBundle> skill(String name, int version) {
        HttpRequest request = HttpRequest.newBuilder(base().resolve("/v1/skills/" + encode(name) + "/versions/" + version))
                .timeout(Duration.ofSeconds(30)).header("Accept", "application/json")
                .header("Authorization", "Bearer " + config.ingestToken()).GET().build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IngestUnavailableException("trace-ingest answered " + response.statusCode() + " for skill " + name + "@" + version, null);
        }
        JsonNode view;
        try {
            view = Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new IngestUnavailableException("trace-ingest sent an unreadable skill: " + e.getMessage(), e);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        view.path("files").fields().forEachRemaining(f -> files.put(f.getKey(), f.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        view.path("binaryFiles").fields().forEachRemaining(f -> files.put(f.getKey(), Base64.getDecoder().decode(f.getValue().asText())));
        return Optional.of(SkillBundle.ofBytes(view.path("name").asText(name), files));
    }

    /** Sends one episode's trajectory to trace-ingest under {@code dataset}; an id already stored is a no-op there. */
    public void sendTrajectory(String dataset, Trajectory trajectory) {
        HttpRequest request = HttpRequest.newBuilder(base().resolve("/v1/trajectories?dataset=" + encode(dataset)))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + config.ingestToken())
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(trajectory))).build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() / 100 != 2) {
            throw new IngestUnavailableException("trace-ingest refused trajectory " + trajectory.id() + " (" + response.statusCode() + "): "
                    + abbreviate(response.body()), null);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IngestUnavailableException("trace-ingest at " + config.ingestUrl() + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestUnavailableException("interrupted while calling trace-ingest", e);
        }
    }

    private URI base() {
        return URI.create(config.ingestUrl().endsWith("/") ? config.ingestUrl() : config.ingestUrl() + "/");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
