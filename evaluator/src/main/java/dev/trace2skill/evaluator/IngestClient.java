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
import java.util.List;
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

    /** trace-ingest refused a request (4xx): sending it again will not help. */
    public static final class IngestRefusedException extends RuntimeException {
        private final int status;
        private final String body;

        IngestRefusedException(String message, int status, String body, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        /** The problem's {@code detail} (or the body), for messages. */
        public String detail() {
            try {
                JsonNode p = Json.mapper().readTree(body);
                String detail = p.path("detail").asText("");
                StringBuilder out = new StringBuilder(detail.isEmpty() ? p.path("title").asText(abbreviate(body)) : detail);
                for (JsonNode e : p.path("errors")) {
                    out.append("; ").append(e.path("field").asText()).append(": ").append(e.path("message").asText());
                }
                return out.toString();
            } catch (Exception notJson) {
                return abbreviate(body);
            }
        }
    }

    /** Stores (or finds) a skill version; returns its {@code name@version}. */
    public String registerSkill(SkillBundle bundle) {
        JsonNode v = call("registering skill " + bundle.name(), () -> api.registerSkill(bearer(),
                Json.write(Map.of("name", bundle.name(), "files", bundle.textFiles()))));
        return v.path("name").asText() + "@" + v.path("version").asInt();
    }

    /** The latest version of a skill, or empty when the registry has no skill of that name. */
    public Optional<Integer> latestVersion(String name) {
        try {
            JsonNode versions = call("skill " + name, () -> api.skillVersions(bearer(), name));
            int latest = 0;
            for (JsonNode v : versions) {
                latest = Math.max(latest, v.path("version").asInt());
            }
            return latest == 0 ? Optional.empty() : Optional.of(latest);
        } catch (IngestRefusedException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Asks for a draft of a new skill ({@code {domain, model, engine, samples, requestId}}); the draft's state. */
    public JsonNode requestDraft(String name, Map<String, Object> request) {
        return call("drafting " + name, () -> api.requestDraft(bearer(), name, Json.write(request)));
    }

    public JsonNode draft(String name, String id) {
        return call("draft " + id, () -> api.draft(bearer(), name, id));
    }

    /** Starts an evolution run (a {@code POST /v1/runs} body); the run's status. */
    public JsonNode startRun(Map<String, Object> request) {
        return call("starting a run", () -> api.startRun(bearer(), Json.write(request)));
    }

    public JsonNode run(String id) {
        return call("run " + id, () -> api.run(bearer(), id));
    }

    /** What trace-ingest did with a batch of trajectories. */
    public record Sent(int received, int accepted, int duplicates, int rejected, List<String> problems) {
    }

    /**
     * Sends trajectories in one request under {@code dataset}. Ids already stored with the same content are duplicates
     * (so sending again after a restart is harmless); a record trace-ingest refuses is counted with its reason.
     */
    public Sent sendTrajectories(String dataset, List<Trajectory> batch) {
        String body = Json.write(batch);
        try {
            JsonNode r = call("sending " + batch.size() + " trajectories", () -> api.sendTrajectory(bearer(), dataset, body));
            List<String> problems = new java.util.ArrayList<>();
            for (JsonNode rej : r.path("rejected")) {
                problems.add(rej.path("id").asText(rej.path("key").asText("?")) + ": " + rej.path("errors").toString());
            }
            return new Sent(r.path("received").asInt(), r.path("accepted").asInt(), r.path("duplicates").asInt(), r.path("rejectedCount").asInt(),
                    problems);
        } catch (IngestRefusedException e) {
            if (e.status() == 409 || e.status() == 413 || e.status() == 422) {
                return new Sent(batch.size(), 0, 0, batch.size(), List.of(e.detail()));
            }
            throw e;
        }
    }

    private JsonNode call(String what, java.util.function.Supplier<JsonNode> request) {
        try {
            return request.get();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            String body = body(e);
            if (status >= 400 && status < 500) {
                throw new IngestRefusedException("trace-ingest refused " + what + " (" + status + "): " + abbreviate(body), status, body, e);
            }
            throw new IngestUnavailableException("trace-ingest answered " + status + " to " + what + ": " + abbreviate(body), e);
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
