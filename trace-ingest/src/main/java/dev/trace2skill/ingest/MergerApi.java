package dev.trace2skill.ingest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The merger's API for a run's outputs, as the front door calls it; base URL {@code quarkus.rest-client.merger.url}
 * (from {@code T2S_MERGER_URL}). A call that cannot reach the merger is retried twice; each has 30 seconds. Every
 * answer, 4xx and 5xx included, comes back as a response to relay.
 */
@RegisterRestClient(configKey = "merger")
@Path("/v1/runs/{id}")
public interface MergerApi {
    /** {@code output}: skill, diff, changelog, merge-tree, provenance, decisions. */
    @GET
    @Path("/{output}")
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response output(@HeaderParam("Authorization") String authorization, @PathParam("id") String runId,
                    @PathParam("output") String output, @HeaderParam("Accept") String accept);

    @GET
    @Path("/lineage")
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = ProcessingException.class)
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    Response lineage(@HeaderParam("Authorization") String authorization, @PathParam("id") String runId,
                     @QueryParam("edit") List<String> edits);
}
