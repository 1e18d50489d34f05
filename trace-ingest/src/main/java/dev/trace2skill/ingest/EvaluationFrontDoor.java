package dev.trace2skill.ingest;

import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Evaluations and experiments at the front door: the evaluator's API, relayed. {@code kind} is {@code evaluations} or
 * {@code experiments} (the experiments API is the evaluator's; until an evaluator serves it, its 404 comes through).
 */
@Path("/v1/{kind: evaluations|experiments}")
@Blocking
public class EvaluationFrontDoor {
    @Inject
    FrontDoor frontDoor;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an evaluation or an experiment (the evaluator's request body)")
    public Response start(@PathParam("kind") String kind, String request) {
        if (request == null || request.isBlank()) {
            throw Problem.invalidParameter("(body)", "send the request as JSON");
        }
        return relay(() -> frontDoor.evaluator().start(frontDoor.bearer(), kind, request));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@PathParam("kind") String kind, @QueryParam("limit") Integer limit) {
        return relay(() -> frontDoor.evaluator().list(frontDoor.bearer(), kind, limit));
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Status and progress, with the report so far")
    public Response get(@PathParam("kind") String kind, @PathParam("id") String id) {
        return relay(() -> frontDoor.evaluator().get(frontDoor.bearer(), kind, id));
    }

    @GET
    @Path("/{id}/report")
    @Produces({MediaType.APPLICATION_JSON, "text/markdown", "image/svg+xml"})
    @Operation(summary = "The report: JSON, Markdown (Accept: text/markdown) or the SVG chart (Accept: image/svg+xml)")
    public Response report(@PathParam("kind") String kind, @PathParam("id") String id, @HeaderParam("Accept") String accept) {
        return relay(() -> frontDoor.evaluator().report(frontDoor.bearer(), kind, id, accept));
    }

    @GET
    @Path("/{id}/episodes")
    @Produces(MediaType.APPLICATION_JSON)
    public Response episodes(@PathParam("kind") String kind, @PathParam("id") String id, @QueryParam("status") String status,
                             @QueryParam("limit") Integer limit, @QueryParam("offset") Integer offset) {
        return relay(() -> frontDoor.evaluator().episodes(frontDoor.bearer(), kind, id, status, limit, offset));
    }

    @GET
    @Path("/{id}/episodes/{episodeId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response episode(@PathParam("kind") String kind, @PathParam("id") String id, @PathParam("episodeId") String episodeId) {
        return relay(() -> frontDoor.evaluator().episode(frontDoor.bearer(), kind, id, episodeId));
    }

    @POST
    @Path("/{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("kind") String kind, @PathParam("id") String id) {
        return relay(() -> frontDoor.evaluator().cancel(frontDoor.bearer(), kind, id));
    }

    @POST
    @Path("/{id}/results")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Results from an external runner (evaluations)")
    public Response results(@PathParam("kind") String kind, @PathParam("id") String id, String results) {
        return relay(() -> frontDoor.evaluator().results(frontDoor.bearer(), kind, id, results));
    }

    private static Response relay(java.util.function.Supplier<Response> call) {
        return FrontDoor.relay("evaluator", call);
    }
}
