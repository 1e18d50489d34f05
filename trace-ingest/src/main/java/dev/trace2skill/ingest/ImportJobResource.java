package dev.trace2skill.ingest;

import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** Background imports: poll one for its progress and, when done, its report. */
@Path("/v1/imports")
@Blocking
public class ImportJobResource {
    @Inject
    ImportJobs jobs;
    @Inject
    ImportJobStore store;

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "An import job: status (queued, running, done, failed), counts and bytes read so far, the report when done")
    public ImportJobStore.Job get(@PathParam("id") String id) {
        return jobs.get(id).orElseThrow(() -> Problem.of(404, "No such import", "no import job with id " + id).failure());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The most recent import jobs, newest first")
    public List<ImportJobStore.Job> recent(@QueryParam("limit") Integer limit) {
        int l = limit == null ? 20 : limit;
        if (l < 1 || l > 200) {
            throw Problem.invalidParameter("limit", "must be 1-200");
        }
        return store.recent(l);
    }
}
