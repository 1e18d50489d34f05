package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Trajectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * trace-ingest through {@link IngestApi}: skill versions by {@code name@version}, and episodes sent on as trajectories
 * (Stage 1 trajectory generation: run S0 on D_evolve, get trajectories to analyse). Turns the client's failures into
 * {@link IngestUnavailableException} and a 404 into "no such version".
 */
@ApplicationScoped
public class IngestClient {
    @Inject
    EvaluatorConfig config;
    @Inject
    @RestClient
    IngestApi api;

    /** trace-ingest could not be reached or answered with an unexpected status. */
    public static final class IngestUnavailableException extends RuntimeException {
        IngestUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The version {@code v} of skill {@code name}, or empty when the registry has no such version. */
    public Optional<SkillBundle> skill(String name, int version) {
        JsonNode view;
        try {
            view = api.skillVersion(bearer(), name, version);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return Optional.empty();
            }
            throw new IngestUnavailableException("trace-ingest answered " + e.getResponse().getStatus() + " for skill " + name + "@" + version, e);
        } catch (ProcessingException | TimeoutException e) {
            throw unreachable(e);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        view.path("files").properties().forEach(f -> files.put(f.getKey(), f.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        view.path("binaryFiles").properties().forEach(f -> files.put(f.getKey(), Base64.getDecoder().decode(f.getValue().asText())));
        return Optional.of(SkillBundle.ofBytes(view.path("name").asText(name), files));
    }

    /** Sends one episode's trajectory to trace-ingest under {@code dataset}; an id already stored is a no-op there. */
    public void sendTrajectory(String dataset, Trajectory trajectory) {
        try {
            api.sendTrajectory(bearer(), dataset, Json.write(trajectory));
        } catch (WebApplicationException e) {
            throw new IngestUnavailableException("trace-ingest refused trajectory " + trajectory.id() + " (" + e.getResponse().getStatus()
                    + "): " + abbreviate(body(e)), e);
        } catch (ProcessingException | TimeoutException e) {
            throw unreachable(e);
        }
    }

    private IngestUnavailableException unreachable(Exception e) {
        return new IngestUnavailableException("trace-ingest at " + config.ingestUrl() + " is unreachable: " + e.getMessage(), e);
    }

    private String bearer() {
        return "Bearer " + config.ingestToken();
    }

    private static String body(WebApplicationException e) {
        try {
            return e.getResponse().readEntity(String.class);
        } catch (RuntimeException unreadable) {
            return "";
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
