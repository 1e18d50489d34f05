package dev.trace2skill.ingest;

import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** Evolution runs: start one, follow its progress. */
@Path("/v1/runs")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
    @Inject
    RunLauncher launcher;
    @Inject
    RunStore runs;

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
}
