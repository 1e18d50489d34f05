package dev.trace2skill.worker;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.time.temporal.ChronoUnit;

/**
 * trace-ingest's API as the worker calls it: the stored trajectory of a job that refers to it instead of inlining it.
 * Base URL {@code quarkus.rest-client.ingest.url} (from {@code T2S_INGEST_URL}); a call that cannot reach trace-ingest
 * is retried (five times over about ten seconds); each call has 60 seconds. An answer of 4xx or 5xx surfaces as a
 * {@link jakarta.ws.rs.WebApplicationException} carrying the response and is not retried.
 */
@RegisterRestClient(configKey = "ingest")
@Path("/v1")
public interface IngestApi {
    /** The trajectory as stored, JSON text. */
    @GET
    @Path("/trajectories/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Retry(maxRetries = 5, delay = 500, maxDuration = 20_000, jitter = 250, retryOn = ProcessingException.class)
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    String trajectory(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);
}
