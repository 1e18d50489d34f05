package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.time.temporal.ChronoUnit;

/**
 * trace-ingest's REST API as the evaluator calls it; base URL {@code quarkus.rest-client.ingest.url} (from
 * {@code T2S_INGEST_URL}). A call that cannot reach trace-ingest is retried twice; each call has 30 seconds. An answer
 * of 4xx or 5xx surfaces as a {@link jakarta.ws.rs.WebApplicationException} carrying the response, and is not retried.
 */
@RegisterRestClient(configKey = "ingest")
@Path("/v1")
public interface IngestApi {
    @GET
    @Path("/skills/{name}/versions/{version}")
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode skillVersion(@HeaderParam("Authorization") String authorization, @PathParam("name") String name,
                          @PathParam("version") int version);

    /** The trajectory as JSON text (written by the core's mapper, as trace-ingest reads it). */
    @POST
    @Path("/trajectories")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode sendTrajectory(@HeaderParam("Authorization") String authorization, @QueryParam("dataset") String dataset, String trajectory);

    /** Registers a skill version ({@code {name, files}}); the same content again is the same version. */
    @POST
    @Path("/skills")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode registerSkill(@HeaderParam("Authorization") String authorization, String skill);

    @GET
    @Path("/skills/{name}/versions")
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode skillVersions(@HeaderParam("Authorization") String authorization, @PathParam("name") String name);

    /** Asks for a Creation-mode draft of a new skill; idempotent by the body's {@code requestId}. */
    @POST
    @Path("/skills/{name}/drafts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode requestDraft(@HeaderParam("Authorization") String authorization, @PathParam("name") String name, String request);

    @GET
    @Path("/skills/{name}/drafts/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode draft(@HeaderParam("Authorization") String authorization, @PathParam("name") String name, @PathParam("id") String id);

    /** Starts an evolution run; idempotent by the body's {@code requestId}. */
    @POST
    @Path("/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    JsonNode startRun(@HeaderParam("Authorization") String authorization, String request);

    @GET
    @Path("/runs/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    JsonNode run(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);
}
