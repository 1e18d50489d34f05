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

import java.util.List;

/**
 * Evolution runs: start one, follow its progress, cancel it, and read what it produced (S*, diff, changelog, merge tree,
 * provenance, decisions, lineage: kept by the merger, served here).
 */
@Path("/v1/runs")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
    @Inject
    RunLauncher launcher;
    @Inject
    RunStore runs;
    @Inject
    FrontDoor frontDoor;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an evolution run: one analysis job per selected trajectory")
    public Response start(RunRequest request) {
        RunLauncher.Started started = launcher.startOrFind(request);
        RunView run = started.run();
        return Response.status(started.created() ? 202 : 200).entity(run).header("Location", "/v1/runs/" + run.id()).build();
    }

    @GET
    public List<RunView> list(@QueryParam("limit") Integer limit) {
        int l = limit == null ? 50 : limit;
        if (l < 1 || l > 500) {
            throw TrajectoryResource.field(400, "Invalid limit", "limit", "must be 1-500");
        }
        return runs.list(l);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A run's status, counts (jobs, analyses, patches, merge level) and tokens")
    public RunView get(@PathParam("id") String id) {
        return runs.get(id).orElseThrow(() -> Problem.of(404, "No such run", "no run with id " + id).failure());
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a run that is not over: nothing more is merged or registered for it")
    public RunView cancel(@PathParam("id") String id) {
        return frontDoor.cancel(id);
    }

    @GET
    @Path("/{id}/{output: skill|diff|changelog|merge-tree|provenance|decisions}")
    @Produces({MediaType.APPLICATION_JSON, "application/zip", MediaType.TEXT_PLAIN, "text/markdown"})
    @Operation(summary = "What the run produced (from the merger): skill (JSON, or zip with Accept: application/zip), diff, "
            + "changelog, merge-tree, provenance (JSON, or Markdown with Accept: text/markdown), decisions")
    public Response output(@PathParam("id") String id, @PathParam("output") String output, @HeaderParam("Accept") String accept) {
        return frontDoor.runOutput(id, output, accept);
    }

    @GET
    @Path("/{id}/lineage")
    @Operation(summary = "Where edits came from: each ?edit= walked down the merge nodes to the analysts' edits and analyses")
    public Response lineage(@PathParam("id") String id, @QueryParam("edit") List<String> edits) {
        return frontDoor.lineage(id, edits);
    }
}
