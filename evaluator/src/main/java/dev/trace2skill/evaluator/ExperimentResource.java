package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.experiment.ExperimentRendering;
import dev.trace2skill.core.experiment.ExperimentReport;
import dev.trace2skill.core.experiment.ExperimentReportBuilder;
import dev.trace2skill.core.experiment.TaskSplit;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.model.ModelGateway;
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

/**
 * Experiments over HTTP: start one, follow it (stage, round, per-stage counts and tokens, for a live progress bar),
 * read its split and its report (JSON, Markdown, SVG), cancel it. Every number of the report comes from the episodes of
 * its stage evaluations ({@code /v1/evaluations/<id>/episodes}).
 */
@Path("/v1/experiments")
@Blocking
public class ExperimentResource {
    @Inject
    ExperimentService service;
    @Inject
    ExperimentStore store;
    @Inject
    ExperimentRunner runner;
    @Inject
    EvaluationStore evaluations;
    @Inject
    EvaluationService evaluationService;
    @Inject
    ModelGateway models;
    @Inject
    EvaluatorConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an experiment: split, S0 (drafted in Creation mode), Stage 1 on D_evolve, evolve, then no skill, S0 and S* on D_test")
    public Response start(ExperimentRequest request) {
        ExperimentService.Accepted a = service.accept(request);
        return Response.accepted(a).header("Location", "/v1/experiments/" + a.id()).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<JsonNode> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.invalidParameter("limit", "must be between 1 and 500");
        }
        return store.list(limit).stream().map(e -> view(e, false)).toList();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "An experiment's status: stage, round, the current stage's done / total, errors and tokens, every round's stages")
    public JsonNode get(@PathParam("id") String id) {
        return view(experiment(id), true);
    }

    @GET
    @Path("/{id}/split")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The task ids of D_evolve and D_test, and the split's seed")
    public TaskSplit split(@PathParam("id") String id) {
        return experiment(id).split();
    }

    @POST
    @Path("/{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonNode cancel(@PathParam("id") String id) {
        ExperimentStore.Experiment e = experiment(id);
        if (!e.running() || !runner.cancel(id)) {
            throw Problem.of(409, "Not running", "experiment " + id + " is " + experiment(id).status()).failure();
        }
        return view(experiment(id), false);
    }

    @GET
    @Path("/{id}/report")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The report so far: rates on D_test per user model with Wilson intervals, S* − S0 and S* − no skill paired, author × user")
    public JsonNode reportJson(@PathParam("id") String id) {
        ExperimentStore.Experiment e = experiment(id);
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("experimentId", e.id());
        o.put("status", e.status().wire());
        o.put("stage", e.stage().wire());
        if (e.message() != null) {
            o.put("message", e.message());
        }
        o.setAll((ObjectNode) Json.mapper().valueToTree(report(e)));
        o.set("links", Json.mapper().valueToTree(links(e)));
        o.set("evaluations", Json.mapper().valueToTree(stageEvaluations(e)));
        return o;
    }

    @GET
    @Path("/{id}/report")
    @Produces("text/markdown")
    public String reportMarkdown(@PathParam("id") String id) {
        ExperimentStore.Experiment e = experiment(id);
        return ExperimentRendering.markdown(title(e), report(e), links(e)) + "\n_Status: " + e.status().wire()
                + (e.message() == null ? "" : " — " + e.message()) + "_\n";
    }

    @GET
    @Path("/{id}/report")
    @Produces("image/svg+xml")
    public String reportSvg(@PathParam("id") String id) {
        ExperimentStore.Experiment e = experiment(id);
        return ExperimentRendering.svg(title(e), report(e));
    }

    private static String title(ExperimentStore.Experiment e) {
        return "Experiment " + e.id() + " (" + e.request().taskset() + ", " + e.mode() + ")";
    }

    /** The report from the stored episodes of the experiment's stage evaluations. */
    ExperimentReport report(ExperimentStore.Experiment e) {
        ExperimentRequest r = e.request();
        List<ExperimentReportBuilder.RoundFacts> rounds = new ArrayList<>();
        List<Episode> test = new ArrayList<>();
        for (ExperimentStore.Round round : store.rounds(e.id())) {
            if (round.s0() == null) {
                continue;
            }
            List<Episode> stage1 = round.stage1Evaluation() == null ? List.of() : evaluations.finished(round.stage1Evaluation());
            rounds.add(new ExperimentReportBuilder.RoundFacts(round.round(), round.s0(), round.sStar(), round.runId(), stage1));
            if (round.testEvaluation() != null) {
                test.addAll(evaluations.finished(round.testEvaluation()));
            }
        }
        List<String> users = r.users().stream().map(m -> label(m)).toList();
        return ExperimentReportBuilder.build(new ExperimentReportBuilder.Facts(label(r.author()), e.split(), users, rounds), test,
                evaluationService.prices());
    }

    private String label(ModelSettings m) {
        try {
            return models.resolve(m).model();
        } catch (IllegalArgumentException e) {
            return String.valueOf(m.model());
        }
    }

    /** Where each round's run outputs are: the run on trace-ingest, its diff, changelog and provenance on the merger. */
    Map<String, String> links(ExperimentStore.Experiment e) {
        Map<String, String> out = new LinkedHashMap<>();
        String ingest = config.ingestUrl().replaceAll("/+$", "");
        String merger = config.mergerUrl().map(u -> u.replaceAll("/+$", "")).orElse("");
        for (ExperimentStore.Round round : store.rounds(e.id())) {
            if (round.runId() == null) {
                continue;
            }
            String p = "round " + round.round() + " ";
            String run = "/v1/runs/" + round.runId();
            out.put(p + "run", ingest + run);
            out.put(p + "diff", merger + run + "/diff");
            out.put(p + "changelog", merger + run + "/changelog");
            out.put(p + "provenance", merger + run + "/provenance");
            if (round.sStar() != null && round.s0() != null) {
                String name = round.s0().substring(0, round.s0().lastIndexOf('@'));
                out.put(p + "S0 → S*", ingest + "/v1/skills/" + name + "/diff?from=" + version(round.s0()) + "&to=" + version(round.sStar()));
            }
        }
        return out;
    }

    private static String version(String ref) {
        return ref.substring(ref.lastIndexOf('@') + 1);
    }

    /** The experiment's evaluations by stage, each readable at /v1/evaluations/{id} with its episodes. */
    private Map<String, List<String>> stageEvaluations(ExperimentStore.Experiment e) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("stage1", new ArrayList<>());
        out.put("test", new ArrayList<>());
        for (ExperimentStore.Round round : store.rounds(e.id())) {
            if (round.stage1Evaluation() != null) {
                out.get("stage1").add(round.stage1Evaluation());
            }
            if (round.testEvaluation() != null) {
                out.get("test").add(round.testEvaluation());
            }
        }
        return out;
    }

    private JsonNode view(ExperimentStore.Experiment e, boolean detail) {
        ExperimentRequest r = e.request();
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", e.id());
        o.put("status", e.status().wire());
        o.put("stage", e.stage().wire());
        o.put("round", e.round());
        o.put("rounds", e.rounds());
        o.put("mode", e.mode());
        o.put("taskset", r.taskset());
        o.put("skill", e.skillName());
        TaskSplit split = e.split();
        o.putObject("split").put("seed", split.seed()).put("evolve", split.evolve().size()).put("test", split.test().size());
        o.put("author", label(r.author()));
        ArrayNode users = o.putArray("users");
        r.users().forEach(m -> users.add(label(m)));
        if (e.message() != null) {
            o.put("message", e.message());
        }
        if (e.problem() != null) {
            o.set("problem", Json.read(e.problem(), JsonNode.class));
        }
        long spent = runner.spent(e);
        ObjectNode tokens = o.putObject("tokens");
        tokens.put("spent", spent);
        if (e.maxTokens() != null) {
            tokens.put("maxTokens", e.maxTokens());
            tokens.put("left", Math.max(0, e.maxTokens() - spent));
        }
        List<ExperimentStore.Round> rounds = store.rounds(e.id());
        if (e.draftId() != null) {
            o.set("draft", Json.read(e.draft(), JsonNode.class));
        }
        ArrayNode rs = o.putArray("stages");
        ObjectNode progress = null;
        for (ExperimentStore.Round round : rounds) {
            ObjectNode ro = rs.addObject();
            ro.put("round", round.round());
            if (round.s0() != null) {
                ro.put("s0", round.s0());
            }
            if (round.stage1Evaluation() != null) {
                ObjectNode s1 = evaluation(ro, "stage1", round.stage1Evaluation());
                if (isCurrent(e, round, ExperimentStatus.Stage.STAGE1)) {
                    progress = progress("stage1", round.round(), s1);
                }
            }
            if (round.trajectoriesSent() != null) {
                ro.putObject("trajectories").put("dataset", ExperimentRunner.dataset(e, round.round())).put("sent", round.trajectoriesSent())
                        .put("rejected", round.trajectoriesRejected() == null ? 0 : round.trajectoriesRejected());
            }
            if (round.runId() != null) {
                ObjectNode run = ro.putObject("run");
                run.put("id", round.runId());
                JsonNode last = round.run() == null ? null : Json.read(round.run(), JsonNode.class);
                if (last != null) {
                    run.put("status", last.path("status").asText());
                    run.set("counts", last.path("counts"));
                    run.set("merge", last.path("merge"));
                    if (last.hasNonNull("message")) {
                        run.put("message", last.path("message").asText());
                    }
                }
                run.put("tokens", round.runTokens());
                if (isCurrent(e, round, ExperimentStatus.Stage.EVOLVING) && last != null) {
                    int jobs = last.path("counts").path("jobsPublished").asInt();
                    int done = last.path("counts").path("analysesDone").asInt() + last.path("counts").path("analysesFailed").asInt();
                    progress = Json.mapper().createObjectNode().put("stage", "evolving").put("round", round.round()).put("done", done)
                            .put("total", jobs).put("errors", last.path("counts").path("analysesFailed").asInt()).put("tokens", round.runTokens())
                            .put("fraction", jobs == 0 ? 0.0 : (double) done / jobs);
                    if (last.path("merge").hasNonNull("nodesTotal")) {
                        progress.set("merge", last.path("merge"));
                    }
                }
            }
            if (round.sStar() != null) {
                ro.put("sStar", round.sStar());
            }
            if (round.leaks() != null) {
                JsonNode leaks = Json.read(round.leaks(), JsonNode.class);
                ObjectNode check = ro.putObject("check");
                check.put("status", leaks.isEmpty() ? "passed" : "refused");
                check.set("leaks", leaks);
            }
            if (round.testEvaluation() != null) {
                ObjectNode t = evaluation(ro, "test", round.testEvaluation());
                if (isCurrent(e, round, ExperimentStatus.Stage.TESTING)) {
                    progress = progress("testing", round.round(), t);
                }
            }
        }
        if (progress == null) {
            progress = Json.mapper().createObjectNode().put("stage", e.stage().wire()).put("round", e.round());
        }
        o.set("progress", progress);
        ObjectNode links = o.putObject("links");
        links.put("report", "/v1/experiments/" + e.id() + "/report");
        links.put("split", "/v1/experiments/" + e.id() + "/split");
        if (detail) {
            links(e).forEach(links::put);
        }
        o.put("createdAt", e.createdAt().toString());
        o.put("updatedAt", e.updatedAt().toString());
        if (e.finishedAt() != null) {
            o.put("finishedAt", e.finishedAt().toString());
        }
        return o;
    }

    private static boolean isCurrent(ExperimentStore.Experiment e, ExperimentStore.Round round, ExperimentStatus.Stage stage) {
        return e.round() == round.round() && e.stage() == stage;
    }

    private ObjectNode evaluation(ObjectNode parent, String name, String evaluationId) {
        ObjectNode s = parent.putObject(name);
        s.put("evaluationId", evaluationId);
        evaluations.evaluation(evaluationId).ifPresent(ev -> {
            EvaluationStore.Progress p = evaluations.progress(evaluationId);
            s.put("status", ev.status().wire());
            s.put("total", ev.total());
            s.put("done", p.done());
            s.put("correct", p.correct());
            s.put("errors", p.errors());
            s.put("tokens", p.tokens());
            if (ev.message() != null) {
                s.put("message", ev.message());
            }
        });
        return s;
    }

    private static ObjectNode progress(String stage, int round, ObjectNode evaluation) {
        int total = evaluation.path("total").asInt();
        long done = evaluation.path("done").asLong();
        return Json.mapper().createObjectNode().put("stage", stage).put("round", round).put("done", done).put("total", total)
                .put("errors", evaluation.path("errors").asLong()).put("tokens", evaluation.path("tokens").asLong())
                .put("fraction", total == 0 ? 0.0 : (double) done / total);
    }

    private ExperimentStore.Experiment experiment(String id) {
        return store.get(id).orElseThrow(() -> Problem.of(404, "No such experiment", "there is no experiment " + id).failure());
    }
}
