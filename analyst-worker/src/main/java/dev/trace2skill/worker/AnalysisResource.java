package dev.trace2skill.worker;

import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Set;

/** The analyses this worker fleet did, from the ledger: by run (what failed and why, tokens, time) or one by patch id. */
@Path("/v1/analyses")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class AnalysisResource {
    static final Set<String> STATUSES = Set.of("PROPOSED", "FAILED");

    @Inject
    AnalysisLedger ledger;

    @GET
    public List<AnalysisLedger.Entry> ofRun(@QueryParam("runId") String runId, @QueryParam("status") String status,
                                            @QueryParam("limit") @DefaultValue("1000") int limit) {
        if (runId == null || runId.isBlank()) {
            throw Problem.invalidParameter("runId", "is required");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw Problem.invalidParameter("status", "must be one of " + STATUSES);
        }
        if (limit < 1 || limit > 10_000) {
            throw Problem.invalidParameter("limit", "must be between 1 and 10000");
        }
        return ledger.ofRun(runId, status, limit);
    }

    @GET
    @Path("/{patchId}")
    public AnalysisLedger.Entry get(@PathParam("patchId") String patchId) {
        return ledger.get(patchId).orElseThrow(() -> Problem.of(404, "No such analysis", "no analysis " + patchId + " was recorded").failure());
    }
}
