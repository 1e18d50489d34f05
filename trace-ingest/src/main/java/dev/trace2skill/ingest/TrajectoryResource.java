package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.NativeImporter;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.trajectory.TrajectorySchema;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.InputStream;
import java.util.List;
import java.util.regex.Pattern;

/** Trajectories in: this project's JSON, or real agent formats through the importers; and out, by listing. */
@Path("/v1")
@Blocking
public class TrajectoryResource {
    public static final String NDJSON = "application/x-ndjson";
    static final Pattern DATASET = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");

    @Inject
    Ingestion ingestion;
    @Inject
    TrajectoryStore store;

    @ConfigProperty(name = "t2s.ingest.max-trajectory-bytes", defaultValue = "10485760")
    long maxTrajectoryBytes;

    @POST
    @Path("/trajectories")
    @Consumes({MediaType.APPLICATION_JSON, NDJSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Push trajectories: one JSON object, a JSON array, or NDJSON (streamed)")
    public Response push(@QueryParam("dataset") String dataset, @HeaderParam("Content-Type") String contentType, InputStream body) {
        return ingest(body, contentType, NativeImporter.FORMAT, dataset, null);
    }

    @POST
    @Path("/trajectories/import")
    @Consumes({MediaType.APPLICATION_JSON, NDJSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import trajectories from an agent format: openai-messages, react, otlp-json, swe-agent")
    public Response importFormat(@QueryParam("format") String format, @QueryParam("dataset") String dataset,
                                 @QueryParam("idPrefix") String idPrefix, @QueryParam("model") String model,
                                 @QueryParam("submittedMeansSuccess") boolean submittedMeansSuccess,
                                 @HeaderParam("Content-Type") String contentType, InputStream body) {
        if (format == null || format.isBlank()) {
            throw field(400, "Missing format", "format", "give ?format= one of " + TrajectoryImporters.formats());
        }
        try {
            TrajectoryImporters.byFormat(format);
        } catch (IllegalArgumentException e) {
            throw field(400, "Unknown format", "format", e.getMessage());
        }
        ImportOptions options = new ImportOptions(idPrefix == null || idPrefix.isBlank() ? dataset : idPrefix, model,
                maxTrajectoryBytes, submittedMeansSuccess);
        return ingest(body, contentType, format, dataset, options);
    }

    private Response ingest(InputStream body, String contentType, String format, String dataset, ImportOptions options) {
        if (dataset == null || dataset.isBlank()) {
            throw field(400, "Missing dataset", "dataset", "every batch carries a dataset name: ?dataset=");
        }
        if (!DATASET.matcher(dataset).matches()) {
            throw field(400, "Invalid dataset", "dataset", "must match " + DATASET.pattern());
        }
        ImportOptions opts = options != null ? options : new ImportOptions(dataset, null, maxTrajectoryBytes, false);
        boolean ndjson = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(NDJSON);
        IngestReport report = ingestion.ingest(body, ndjson, format, dataset, opts);
        return respond(report);
    }

    /**
     * 200 with the report when anything was stored (or everything was a duplicate); when nothing was stored and records
     * were rejected, a problem whose status is the rejections' common status (409, 413, 422) listing each of them.
     */
    static Response respond(IngestReport report) {
        if (report.received() == 0) {
            return Problem.of(400, "Empty upload", "the body holds no records").toResponse();
        }
        if (report.rejectedCount() == 0 || report.accepted() + report.duplicates() > 0) {
            int status = report.accepted() > 0 && report.received() == 1 ? 201 : 200;
            return Response.status(status).type(MediaType.APPLICATION_JSON).entity(report).build();
        }
        int common = report.rejected().stream().map(IngestReport.Rejection::status).distinct().count() == 1
                ? report.rejected().get(0).status() : 422;
        List<Problem.FieldProblem> errors = report.rejected().stream()
                .flatMap(r -> r.errors().stream().map(e -> new Problem.FieldProblem(r.index(), r.id() != null ? r.id() : r.key(), e.field(), e.message())))
                .toList();
        String title = switch (common) {
            case 409 -> "Conflicting trajectory";
            case 413 -> "Trajectory too large";
            default -> "Invalid trajectories";
        };
        String detail = "none of the " + report.received() + " records was stored; each error names its record and field";
        return Problem.of(common, title, detail, errors).toResponse();
    }

    @GET
    @Path("/trajectories")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List trajectories by dataset and outcome, with a cursor")
    public TrajectoryStore.Page list(@QueryParam("dataset") String dataset, @QueryParam("outcome") String outcome,
                                     @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
        if (outcome != null && !outcome.equals("success") && !outcome.equals("failure")) {
            throw field(400, "Invalid outcome", "outcome", "must be success or failure");
        }
        int l = limit == null ? 100 : limit;
        if (l < 1 || l > 1000) {
            throw field(400, "Invalid limit", "limit", "must be 1-1000");
        }
        try {
            return store.list(dataset, outcome, l, cursor);
        } catch (IllegalArgumentException e) {
            throw field(400, "Invalid cursor", "cursor", e.getMessage());
        }
    }

    @GET
    @Path("/trajectories/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@PathParam("id") String id) {
        return store.body(id).map(b -> Response.ok(b, MediaType.APPLICATION_JSON).build())
                .orElseThrow(() -> Problem.of(404, "No such trajectory", "no trajectory with id " + id).failure());
    }

    @GET
    @Path("/schemas/trajectory")
    @Produces("application/schema+json")
    @Operation(summary = "The JSON Schema of a trajectory")
    public String schema() {
        return TrajectorySchema.text();
    }

    static Problem.Failure field(int status, String title, String field, String message) {
        return Problem.field(status, title, message, field, message);
    }
}
