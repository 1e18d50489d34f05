package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.Labels;
import dev.trace2skill.core.importers.NativeImporter;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.json.Json;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

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
    @Inject
    ImportRequests requests;
    @Inject
    ImportJobs jobs;
    @Inject
    IngestBudget budget;
    @Inject
    dev.trace2skill.service.Access access;

    @POST
    @Path("/trajectories")
    @Consumes({MediaType.APPLICATION_JSON, NDJSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Push trajectories: one JSON object, a JSON array, or NDJSON (streamed); ?async=true imports in the background")
    public Response push(@QueryParam("dataset") String dataset, @QueryParam("async") String async,
                         @HeaderParam("Content-Type") String contentType, @HeaderParam("Content-Length") String contentLength,
                         InputStream body) {
        dataset(dataset);
        ImportOptions options = requests.nativeOptions(dataset);
        TrajectoryImporters.Shape shape = ImportRequests.shape(contentType, NativeImporter.FORMAT);
        if (ImportRequests.async(async)) {
            return accepted(jobs.submit(body, shape, NativeImporter.FORMAT, dataset, options, Json.mapper().createObjectNode()));
        }
        try (dev.trace2skill.service.MemoryBudget.Reservation ignored = budget.reserve(length(contentLength))) {
            return respond(ingestion.ingest(body, shape, NativeImporter.FORMAT, dataset, options, Ingestion.Progress.NONE));
        }
    }

    /** The request's Content-Length, or -1 when it has none (chunked) or it is not a number. */
    static long length(String contentLength) {
        try {
            return contentLength == null ? -1 : Long.parseLong(contentLength.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @POST
    @Path("/trajectories/import")
    @Consumes({MediaType.APPLICATION_JSON, NDJSON, MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import trajectories from an agent format: openai-messages, anthropic-messages, openai-responses, react"
            + " (JSON or a text/plain log), otlp-json, swe-agent; ?async=true imports in the background")
    public Response importFormat(@QueryParam("format") String format, @QueryParam("dataset") String dataset,
                                 @QueryParam("idPrefix") String idPrefix, @QueryParam("model") String model,
                                 @QueryParam("submittedMeansSuccess") boolean submittedMeansSuccess,
                                 @QueryParam("query") String query, @QueryParam("system") String system,
                                 @QueryParam("errorPattern") List<String> errorPatterns, @QueryParam("labels") String labels,
                                 @QueryParam("async") String async,
                                 @HeaderParam("Content-Type") String contentType, @HeaderParam("Content-Length") String contentLength,
                                 InputStream body) {
        format(format);
        dataset(dataset);
        ImportRequests.Parsed parsed = requests.parse(new ImportRequests.Params(format, dataset, idPrefix, model, submittedMeansSuccess,
                query, system, errorPatterns, labels, async), null);
        TrajectoryImporters.Shape shape = ImportRequests.shape(contentType, format);
        if (parsed.async()) {
            return accepted(jobs.submit(body, shape, format, dataset, parsed.options(), parsed.view()));
        }
        try (dev.trace2skill.service.MemoryBudget.Reservation ignored = budget.reserve(length(contentLength))) {
            return respond(ingestion.ingest(body, shape, format, dataset, parsed.options(), Ingestion.Progress.NONE));
        }
    }

    @POST
    @Path("/trajectories/import")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import an agent log with its results file: multipart parts 'file' (the log; JSON, NDJSON or a text log,"
            + " by the part's media type or file name) and 'labels' (correctness labels, optional)")
    public Response importMultipart(@QueryParam("format") String format, @QueryParam("dataset") String dataset,
                                    @QueryParam("idPrefix") String idPrefix, @QueryParam("model") String model,
                                    @QueryParam("submittedMeansSuccess") boolean submittedMeansSuccess,
                                    @QueryParam("query") String query, @QueryParam("system") String system,
                                    @QueryParam("errorPattern") List<String> errorPatterns, @QueryParam("labels") String labels,
                                    @QueryParam("async") String async,
                                    @RestForm("file") FileUpload file, @RestForm("labels") FileUpload labelsPart) {
        format(format);
        dataset(dataset);
        if (file == null) {
            throw field(400, "Missing file", "file", "send the log as the multipart part 'file'");
        }
        Labels partLabels = labelsPart == null ? null : ImportRequests.readLabels(labelsPart.uploadedFile(), "labels");
        ImportRequests.Parsed parsed = requests.parse(new ImportRequests.Params(format, dataset, idPrefix, model, submittedMeansSuccess,
                query, system, errorPatterns, labels, async), partLabels);
        TrajectoryImporters.Shape shape = ImportRequests.shape(file.contentType(), file.fileName(), format);
        if (parsed.async()) {
            return accepted(jobs.submit(file.uploadedFile(), shape, format, dataset, parsed.options(), parsed.view()));
        }
        try (dev.trace2skill.service.MemoryBudget.Reservation ignored = budget.reserve(file.size());
             InputStream in = java.nio.file.Files.newInputStream(file.uploadedFile())) {
            return respond(ingestion.ingest(in, shape, format, dataset, parsed.options(), Ingestion.Progress.NONE));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the uploaded file: " + e.getMessage(), e);
        }
    }

    private static void format(String format) {
        if (format == null || format.isBlank()) {
            throw field(400, "Missing format", "format", "give ?format= one of " + TrajectoryImporters.formats());
        }
        try {
            TrajectoryImporters.byFormat(format);
        } catch (IllegalArgumentException e) {
            throw field(400, "Unknown format", "format", e.getMessage());
        }
    }

    private static void dataset(String dataset) {
        if (dataset == null || dataset.isBlank()) {
            throw field(400, "Missing dataset", "dataset", "every batch carries a dataset name: ?dataset=");
        }
        if (!DATASET.matcher(dataset).matches()) {
            throw field(400, "Invalid dataset", "dataset", "must match " + DATASET.pattern());
        }
    }

    /** 202 with the job and where to poll it. */
    static Response accepted(ImportJobStore.Job job) {
        return Response.accepted(job).type(MediaType.APPLICATION_JSON).location(java.net.URI.create("/v1/imports/" + job.id())).build();
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
    @Operation(summary = "List trajectories by dataset, outcome, experiment and skill reference, with a cursor")
    public TrajectoryStore.Page list(@QueryParam("dataset") String dataset, @QueryParam("outcome") String outcome,
                                     @QueryParam("experiment") String experiment, @QueryParam("skillRef") String skillRef,
                                     @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
        if (outcome != null && !outcome.equals("success") && !outcome.equals("failure")) {
            throw field(400, "Invalid outcome", "outcome", "must be success or failure");
        }
        int l = limit == null ? 100 : limit;
        if (l < 1 || l > 1000) {
            throw field(400, "Invalid limit", "limit", "must be 1-1000");
        }
        try {
            return store.list(new TrajectoryStore.Filter(dataset, outcome, null, experiment, skillRef), l, cursor);
        } catch (IllegalArgumentException e) {
            throw field(400, "Invalid cursor", "cursor", e.getMessage());
        }
    }

    @GET
    @Path("/trajectories/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One trajectory; its expectedAnswer only for the admin token (header T2S-Hidden-Fields says what was left out)")
    public Response get(@PathParam("id") String id) {
        String body = store.body(id).orElseThrow(() -> Problem.of(404, "No such trajectory", "no trajectory with id " + id).failure());
        if (!access.admin()) {
            com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.read(body,
                    com.fasterxml.jackson.databind.JsonNode.class);
            if (tree.remove("expectedAnswer") != null) {
                return Response.ok(Json.write(tree), MediaType.APPLICATION_JSON).header(HIDDEN_FIELDS, "expectedAnswer").build();
            }
        }
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }

    /** Names the fields an answer left out because the caller is not an admin. */
    public static final String HIDDEN_FIELDS = "T2S-Hidden-Fields";

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
