package dev.trace2skill.ingest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.time.temporal.ChronoUnit;

/**
 * The evaluator's API for evaluations and experiments ({@code kind}: {@code evaluations} or {@code experiments}), as the
 * front door calls it; base URL {@code quarkus.rest-client.evaluator.url} (from {@code T2S_EVALUATOR_URL}). Reads that
 * cannot reach the evaluator are retried twice; writes are not retried (a start must not run twice). Every answer,
 * 4xx and 5xx included, comes back as a response to relay.
 */
@RegisterRestClient(configKey = "evaluator")
@Path("/v1/{kind}")
public interface EvaluatorApi {
    @GET
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response list(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @QueryParam("limit") Integer limit);

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    Response start(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, String request);

    @GET
    @Path("/{id}")
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response get(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @PathParam("id") String id);

    @GET
    @Path("/{id}/report")
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response report(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @PathParam("id") String id,
                    @HeaderParam("Accept") String accept);

    @GET
    @Path("/{id}/episodes")
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response episodes(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @PathParam("id") String id,
                      @QueryParam("status") String status, @QueryParam("limit") Integer limit, @QueryParam("offset") Integer offset);

    @GET
    @Path("/{id}/episodes/{episodeId}")
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response episode(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @PathParam("id") String id,
                     @PathParam("episodeId") String episodeId);

    @POST
    @Path("/{id}/cancel")
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response cancel(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @PathParam("id") String id);

    @POST
    @Path("/{id}/results")
    @Consumes(MediaType.APPLICATION_JSON)
    @Timeout(value = 60, unit = ChronoUnit.SECONDS)
    Response results(@HeaderParam("Authorization") String authorization, @PathParam("kind") String kind, @PathParam("id") String id,
                     String results);
}
