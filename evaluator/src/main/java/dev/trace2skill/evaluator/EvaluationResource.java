package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.eval.Report;
import dev.trace2skill.core.eval.ReportBuilder;
import dev.trace2skill.core.eval.ReportRendering;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.EvalResult;
import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluations over HTTP: start one, follow its progress, read its report (JSON, Markdown, SVG), list its episodes with
 * their labelled trajectories, and, for external runners, post results back.
 */
@Path("/v1/evaluations")
@Blocking
public class EvaluationResource {
    static final Set<String> STATUSES = Set.of("PENDING", "CORRECT", "WRONG", "ERROR");

    @Inject
    EvaluationService service;
    @Inject
    EvaluationStore store;
    @Inject
    ExternalRunners external;
    @Inject
    BuiltinRunner builtin;
    @Inject
    EvaluatorConfig config;
    @Inject
    dev.trace2skill.service.Access access;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an evaluation: skills × models × tasks × seeds, with the no-skill baseline")
    public Response start(EvaluationRequest request) {
        EvaluationService.Accepted a = service.accept(request);
        return Response.accepted(a).header("Location", "/v1/evaluations/" + a.id()).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<JsonNode> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.invalidParameter("limit", "must be between 1 and 500");
        }
        List<JsonNode> out = new ArrayList<>();
        for (EvaluationStore.Evaluation e : store.list(limit)) {
            out.add(view(e, false));
        }
        return out;
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Status and progress of an evaluation, with its report so far")
    public JsonNode get(@PathParam("id") String id) {
        return view(evaluation(id), true);
    }

    @GET
    @Path("/{id}/report")
    @Produces(MediaType.APPLICATION_JSON)
    public Report reportJson(@PathParam("id") String id) {
        EvaluationStore.Evaluation e = evaluation(id);
        return report(e, request(e));
    }

    @GET
    @Path("/{id}/report")
    @Produces("text/markdown")
    public String reportMarkdown(@PathParam("id") String id) {
        EvaluationStore.Evaluation e = evaluation(id);
        EvaluationRequest request = request(e);
        return ReportRendering.markdown(title(e, request), report(e, request)) + "\n_Status: " + e.status() + (e.message() == null ? "" : " — " + e.message()) + "_\n";
    }

    @GET
    @Path("/{id}/report")
    @Produces("image/svg+xml")
    public String reportSvg(@PathParam("id") String id) {
        EvaluationStore.Evaluation e = evaluation(id);
        EvaluationRequest request = request(e);
        return ReportRendering.svg(title(e, request), report(e, request));
    }

    @GET
    @Path("/{id}/episodes")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The evaluation's episodes in plan order (status filter: PENDING, CORRECT, WRONG, ERROR)")
    public List<Map<String, Object>> episodes(@PathParam("id") String id, @QueryParam("status") String status,
                                              @QueryParam("limit") @DefaultValue("100") int limit, @QueryParam("offset") @DefaultValue("0") int offset) {
        evaluation(id);
        if (status != null && !STATUSES.contains(status)) {
            throw Problem.invalidParameter("status", "must be one of " + STATUSES);
        }
        if (limit < 1 || limit > 1000) {
            throw Problem.invalidParameter("limit", "must be between 1 and 1000");
        }
        if (offset < 0) {
            throw Problem.invalidParameter("offset", "must not be negative");
        }
        boolean admin = access.admin();
        return store.episodes(id, status, limit, offset, false).stream().map(r -> row(r, false, admin)).toList();
    }

    @GET
    @Path("/{id}/episodes/{episodeId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One episode with its labelled trajectory")
    public Map<String, Object> episode(@PathParam("id") String id, @PathParam("episodeId") String episodeId) {
        evaluation(id);
        EvaluationStore.Row r = store.episode(episodeId).filter(e -> e.evaluationId().equals(id))
                .orElseThrow(() -> Problem.of(404, "No such episode", "evaluation " + id + " has no episode " + episodeId).failure());
        return row(r, true, access.admin());
    }

    @POST
    @Path("/{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonNode cancel(@PathParam("id") String id) {
        EvaluationStore.Evaluation e = evaluation(id);
        if (!e.running()) {
            throw Problem.of(409, "Not running", "evaluation " + id + " is " + e.status()).failure();
        }
        if (!builtin.cancel(id)) {
            EvaluationStore.Progress p = store.progress(id);
            store.finish(id, EvaluationStatus.CANCELLED, "cancelled after " + p.done() + " of " + e.total() + " episodes");
        }
        return view(evaluation(id), false);
    }

    @POST
    @Path("/{id}/results")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Results from an external runner: one EvalResult or an array; each is accepted, a duplicate, or rejected")
    public Response results(@PathParam("id") String id, JsonNode body) {
        evaluation(id);
        if (body == null || !(body.isObject() || body.isArray())) {
            throw Problem.invalidParameter("(body)", "send an EvalResult object or an array of them");
        }
        List<JsonNode> records = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(records::add);
        } else {
            records.add(body);
        }
        int accepted = 0;
        int duplicates = 0;
        List<Problem.FieldProblem> rejected = new ArrayList<>();
        int lastStatus = 422;
        for (int i = 0; i < records.size(); i++) {
            Integer index = body.isArray() ? i : null;
            EvalResult r;
            try {
                r = Json.mapper().treeToValue(records.get(i), EvalResult.class);
            } catch (Exception e) {
                rejected.add(new Problem.FieldProblem(index, null, "(record)", "not an EvalResult: " + firstLine(e.getMessage())));
                continue;
            }
            try {
                if (external.accept(id, r, "rest") == ExternalRunners.Intake.ACCEPTED) {
                    accepted++;
                } else {
                    duplicates++;
                }
            } catch (ExternalRunners.Rejected e) {
                lastStatus = e.status;
                rejected.add(new Problem.FieldProblem(index, r == null ? null : r.episodeId(), e.field, e.getMessage()));
            }
        }
        if (accepted == 0 && duplicates == 0) {
            throw Problem.of(lastStatus, "Results refused", rejected.size() + " result(s) refused", rejected).failure();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accepted", accepted);
        out.put("duplicates", duplicates);
        out.put("rejected", rejected);
        out.put("policy", "partial: every valid result is recorded; the first result for an episode counts, later ones are duplicates");
        return Response.ok(out).build();
    }

    private static EvaluationRequest request(EvaluationStore.Evaluation e) {
        return Json.read(e.request(), EvaluationRequest.class);
    }

    private Report report(EvaluationStore.Evaluation e, EvaluationRequest request) {
        return ReportBuilder.build(store.finished(e.id()), service.prices(), request.authors() == null ? Map.of() : request.authors(),
                request.compare() == null ? List.of() : request.compare());
    }

    private JsonNode view(EvaluationStore.Evaluation e, boolean withReport) {
        EvaluationRequest request = request(e);
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", e.id());
        o.put("status", e.status().wire());
        o.put("runner", e.runner());
        o.put("taskset", request.taskset());
        ArrayNode skills = o.putArray("skills");
        request.skills().forEach(s -> skills.add(s.ref()));
        o.put("includeNoSkill", request.includeNoSkill());
        ArrayNode models = o.putArray("models");
        request.models().forEach(m -> models.add(Json.mapper().valueToTree(m)));
        o.set("seeds", Json.mapper().valueToTree(request.seeds()));
        EvaluationStore.Progress p = store.progress(e.id());
        ObjectNode progress = o.putObject("progress");
        progress.put("total", e.total());
        progress.put("done", p.done());
        progress.put("pending", p.pending());
        progress.put("correct", p.correct());
        progress.put("errors", p.errors());
        progress.put("tokens", p.tokens());
        if (e.maxTokens() != null) {
            progress.put("maxTokens", e.maxTokens());
        }
        progress.put("fraction", e.total() == 0 ? 1.0 : (double) p.done() / e.total());
        if (e.message() != null) {
            o.put("message", e.message());
        }
        o.put("createdAt", e.createdAt().toString());
        if (e.deadline() != null) {
            o.put("deadline", e.deadline().toString());
        }
        if (e.finishedAt() != null) {
            o.put("finishedAt", e.finishedAt().toString());
        }
        if (e.experimentId() != null) {
            o.put("experimentId", e.experimentId());
        }
        if (withReport) {
            o.set("report", Json.mapper().valueToTree(report(e, request)));
        }
        return o;
    }

    /**
     * One episode as the API shows it. The task's expected answer — which external runners are never sent — is shown
     * to the admin token only, in {@code expected} and in the trajectory's {@code expectedAnswer}; others see
     * {@code expectedHidden: true} where an expected answer exists.
     */
    private static Map<String, Object> row(EvaluationStore.Row r, boolean withTrajectory, boolean admin) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("episodeId", r.episodeId());
        m.put("condition", r.condition().label());
        m.put("skill", r.condition().skill());
        m.put("model", r.condition().model());
        m.put("removedSection", r.condition().removedSection());
        m.put("taskId", r.taskId());
        m.put("seed", r.seed());
        m.put("status", r.status());
        m.put("answer", r.answer());
        m.put("expected", admin ? r.expected() : null);
        m.put("expectedHidden", !admin && r.expected() != null ? Boolean.TRUE : null);
        m.put("promptTokens", r.promptTokens());
        m.put("completionTokens", r.completionTokens());
        m.put("error", r.error());
        m.put("source", r.source());
        m.put("latencyMs", r.latencyMs());
        if (withTrajectory && r.trajectory() != null) {
            JsonNode t = Json.mapper().valueToTree(Json.read(r.trajectory(), dev.trace2skill.core.trajectory.Trajectory.class));
            if (!admin && t instanceof ObjectNode o) {
                o.remove("expectedAnswer");
            }
            m.put("trajectory", t);
        }
        m.values().removeIf(java.util.Objects::isNull);
        return m;
    }

    private EvaluationStore.Evaluation evaluation(String id) {
        return store.evaluation(id).orElseThrow(() -> Problem.of(404, "No such evaluation", "there is no evaluation " + id).failure());
    }

    private static String title(EvaluationStore.Evaluation e, EvaluationRequest request) {
        return "Evaluation " + e.id() + " (" + request.taskset() + ")";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
