package dev.trace2skill.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.service.Outgoing;
import dev.trace2skill.service.Problem;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one front door for people: what the merger (a run's outputs) and the evaluator (evaluations, experiments) hold is
 * read and written here, relayed to their own APIs with this service's token; and a run can be cancelled here. The
 * console and the CLI use nothing else.
 */
@ApplicationScoped
public class FrontDoor {
    private static final Logger LOG = Logger.getLogger(FrontDoor.class);
    /** The outputs of a run the merger serves. */
    public static final List<String> RUN_OUTPUTS = List.of("skill", "diff", "changelog", "merge-tree", "provenance", "decisions");

    @Inject
    @RestClient
    MergerApi merger;
    @Inject
    @RestClient
    EvaluatorApi evaluator;
    @Inject
    RunStore runs;
    /** RUN_CANCELLED events go on {@code run-events} (the channel trace-ingest also announces registered versions on). */
    @Inject
    @Channel("skill-registrations")
    MutinyEmitter<String> runEvents;
    @ConfigProperty(name = "t2s.api.token")
    String token;

    public String bearer() {
        return "Bearer " + token;
    }

    /** A merger output of a run, relayed as it is (status, media type, body). */
    public Response runOutput(String runId, String output, String accept) {
        if (!RUN_OUTPUTS.contains(output)) {
            throw Problem.of(404, "Not found", "a run has no output " + output + " (one of " + RUN_OUTPUTS + ")").failure();
        }
        return relay("merger", () -> merger.output(bearer(), runId, output, accept));
    }

    public Response lineage(String runId, List<String> edits) {
        return relay("merger", () -> merger.lineage(bearer(), runId, edits));
    }

    public EvaluatorApi evaluator() {
        return evaluator;
    }

    /**
     * Cancels a run that is not over: it is marked cancelled at once (later progress leaves it so), the merger is told on
     * {@code run-events} and merges nothing for it, and an S* that arrives anyway is not registered. Analyses already
     * queued still run on the workers; their results are counted and not merged.
     */
    public RunView cancel(String runId) {
        RunView run = runs.get(runId).orElseThrow(() -> Problem.of(404, "No such run", "no run with id " + runId).failure());
        if (!runs.cancel(runId, "cancelled by a user")) {
            throw Problem.of(409, "Run is over", "run " + runId + " is " + runs.get(runId).map(r -> r.status().wire()).orElse(run.status().wire())
                    + " and cannot be cancelled").failure();
        }
        Outgoing.sendAndAwait(runEvents, runId, Json.write(RunEvent.cancelled(runId, "cancelled by a user")));
        LOG.infof("run %s cancelled", runId);
        return runs.get(runId).orElseThrow();
    }

    /** The body of a relayed call when it answered 200, as JSON. */
    public Optional<JsonNode> json(String service, Supplier<Response> call) {
        return text(service, call).map(s -> Json.read(s, JsonNode.class));
    }

    /** The body of a relayed call when it answered 200, as text; empty on 404 and 409 (not there, not yet). */
    public Optional<String> text(String service, Supplier<Response> call) {
        Response r = relay(service, call);
        if (r.getStatus() == 404 || r.getStatus() == 409) {
            return Optional.empty();
        }
        String body = r.getEntity() == null ? "" : new String((byte[]) r.getEntity(), StandardCharsets.UTF_8);
        if (r.getStatus() != 200) {
            throw Problem.of(502, "Bad gateway", service + " answered " + r.getStatus() + ": " + firstLine(body)).failure();
        }
        return Optional.of(body);
    }

    /**
     * Calls a service and answers what it answered (status, body and the headers a client needs), or 503 when it cannot
     * be reached.
     */
    public static Response relay(String service, Supplier<Response> call) {
        Response r;
        try {
            r = call.get();
        } catch (WebApplicationException e) {
            r = e.getResponse();
        } catch (RuntimeException e) {
            LOG.warnf("%s unreachable: %s", service, e.toString());
            throw Problem.of(503, "Service unavailable", "the " + service + " cannot be reached: " + firstLine(String.valueOf(e.getMessage())))
                    .failure();
        }
        try (Response answer = r) {
            byte[] body = answer.hasEntity() ? answer.readEntity(byte[].class) : null;
            Response.ResponseBuilder b = Response.status(answer.getStatus()).entity(body);
            for (String h : List.of(HttpHeaders.CONTENT_TYPE, "Content-Disposition", HttpHeaders.LOCATION, "Retry-After")) {
                String v = answer.getHeaderString(h);
                if (v != null) {
                    b.header(h, v);
                }
            }
            return b.build();
        }
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
