package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.Labels;
import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.InputStream;
import java.net.URI;

/**
 * Correctness labels uploaded on their own — a results file (SWE-bench's report, {id: label} objects, {id, label}
 * lines) — to be referenced by imports as {@code ?labels=<id>}.
 */
@Path("/v1/labels")
@Blocking
public class LabelResource {
    @Inject
    LabelStore store;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, TrajectoryResource.NDJSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Store a labels file; the answer's id is what ?labels= takes (the same labels give the same id)")
    public Response upload(InputStream body) {
        Labels labels = ImportRequests.readLabels(body, "(body)");
        LabelStore.Summary s = store.save(labels);
        return Response.created(URI.create("/v1/labels/" + s.id())).entity(s).type(MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public LabelStore.Summary get(@PathParam("id") String id) {
        return store.summary(id).orElseThrow(() -> Problem.of(404, "No such label set", "no label set with id " + id).failure());
    }
}
