package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.Attribution;
import dev.trace2skill.core.merge.EditDecision;
import dev.trace2skill.core.merge.EditLineage;
import dev.trace2skill.core.merge.PatchPool;
import dev.trace2skill.core.merge.Provenance;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.skill.SkillArchive;
import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run produced: S*, the diff, the changelog, the merge tree, the provenance, the decisions about edits and the
 * lineage of edits. Users read them through trace-ingest (the front door); this API is for service-to-service use.
 */
@Path("/v1/runs/{id}")
@Blocking
public class RunOutputResource {
    @Inject
    MergerStore store;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response status(@PathParam("id") String id) {
        MergerStore.Run run = store.run(id).orElseThrow(() -> notFound(id));
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("runId", run.runId());
        o.put("status", run.status().wire());
        o.put("skill", run.s0().ref());
        o.put("jobs", run.jobIds().size());
        o.put("results", store.pooled(id));
        MergerStore.Window w = store.window(id);
        o.put("late", w.late());
        o.put("deadline", run.deadline().toString());
        ObjectNode window = o.putObject("mergeWindow");
        if (w.idle() != null) {
            window.put("idleSeconds", w.idle().toSeconds());
        }
        if (w.maxDeadline() != null) {
            window.put("maxDeadline", w.maxDeadline().toString());
        }
        if (w.lastResultAt() != null) {
            window.put("lastResultAt", w.lastResultAt().toString());
        }
        if (w.poolCounts() != null) {
            try {
                o.set("pool", Json.mapper().readTree(w.poolCounts()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (run.message() != null) {
            o.put("message", run.message());
        }
        store.safety(id).ifPresent(json -> {
            try {
                o.set("safety", Json.mapper().readTree(json));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/skill")
    @Produces({MediaType.APPLICATION_JSON, "application/zip"})
    public Response skill(@PathParam("id") String id, @HeaderParam("Accept") String accept) {
        MergerStore.Outputs out = outputs(id);
        if (accept != null && accept.contains("application/zip") && !accept.contains(MediaType.APPLICATION_JSON)) {
            return Response.ok(SkillArchive.write(out.sStar().bundle()), "application/zip")
                    .header("Content-Disposition", "attachment; filename=\"" + out.sStar().name() + "-" + id + ".zip\"").build();
        }
        return Response.ok(Json.write(out.sStar()), MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/diff")
    @Produces(MediaType.TEXT_PLAIN)
    public String diff(@PathParam("id") String id) {
        return outputs(id).diff();
    }

    @GET
    @Path("/changelog")
    @Produces("text/markdown")
    public String changelog(@PathParam("id") String id) {
        return outputs(id).changelog();
    }

    @GET
    @Path("/merge-tree")
    @Produces(MediaType.APPLICATION_JSON)
    public String tree(@PathParam("id") String id) {
        return outputs(id).tree();
    }

    @GET
    @Path("/provenance")
    @Produces({MediaType.APPLICATION_JSON, "text/markdown"})
    public Response provenance(@PathParam("id") String id, @HeaderParam("Accept") String accept) {
        String json = outputs(id).provenance();
        if (accept != null && accept.contains("text/markdown") && !accept.contains(MediaType.APPLICATION_JSON)) {
            List<Provenance.Line> lines = List.of(Json.read(json, Provenance.Line[].class));
            List<Attribution> rejected = store.nodes(id).stream().flatMap(n -> n.result().rejectedAttributions().stream()).toList();
            MergerStore.Window w = store.window(id);
            String summary = "Support is counted in distinct tasks, with the trajectories beside it."
                    + (w.poolCounts() == null ? "" : " Unverified error patches (counts): " + w.poolCounts() + "; their kept"
                    + " trajectories are named on the lines they support.") + (w.late() > 0 ? " " + w.late()
                    + " result(s) arrived after the merge started and are not part of this provenance." : "");
            return Response.ok(Provenance.markdown("Provenance of run " + id, summary, lines, rejected), "text/markdown").build();
        }
        return Response.ok(json, MediaType.APPLICATION_JSON).build();
    }

    /**
     * Every decision about an edit, with the edit it concerns: at each merge node (kept, merged, re-anchored, dropped
     * with the reason) and on the final patch (routed to references/ below the support threshold, dropped).
     */
    @GET
    @Path("/decisions")
    @Produces(MediaType.APPLICATION_JSON)
    public Response decisions(@PathParam("id") String id) {
        MergerStore.Outputs out = outputs(id);
        Map<String, Edit> edits = edits(id, out).edits();
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("runId", id);
        ArrayNode fin = o.putArray("final");
        for (EditDecision d : Json.read(out.decisions(), EditDecision[].class)) {
            fin.add(decision(d, edits));
        }
        ArrayNode nodes = o.putArray("nodes");
        for (MergerStore.Node n : store.nodes(id)) {
            ObjectNode node = nodes.addObject();
            node.put("node", n.nodeId());
            node.put("level", n.level());
            ArrayNode ds = node.putArray("decisions");
            n.result().decisions().forEach(d -> ds.add(decision(d, edits)));
        }
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON).build();
    }

    /**
     * Where edits came from: each edit of {@code ?edit=} (repeatable; e.g. the edits a provenance line names) walked
     * down through the merge nodes to the analysts' edits, with their rationale, and the analyses behind those patches
     * (trajectory, analyst, outcome, verified).
     */
    @GET
    @Path("/lineage")
    @Produces(MediaType.APPLICATION_JSON)
    public Response lineage(@PathParam("id") String id, @QueryParam("edit") List<String> editIds) {
        if (editIds == null || editIds.isEmpty()) {
            throw Problem.invalidParameter("edit", "name at least one edit id (?edit=...)");
        }
        if (editIds.size() > 200) {
            throw Problem.invalidParameter("edit", "at most 200 edits at a time");
        }
        Edits all = edits(id, outputs(id));
        List<EditLineage.Step> steps = EditLineage.walk(editIds, all.edits(), all.nodeOfEdit());
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("runId", id);
        o.set("steps", Json.mapper().valueToTree(steps));
        ObjectNode analyses = o.putObject("analyses");
        for (EditLineage.Step s : steps) {
            PatchResult r = s.patch() == null ? null : all.results().get(s.patch());
            if (r != null && !analyses.has(r.patchId())) {
                ObjectNode a = analyses.putObject(r.patchId());
                a.put("trajectoryId", r.trajectoryId());
                a.put("trajectorySuccess", r.trajectorySuccess());
                a.put("analyst", r.analyst() == null ? null : r.analyst().wire());
                if (r.verified() != null) {
                    a.put("verified", r.verified());
                }
                if (r.taskKey() != null) {
                    a.put("task", r.taskKey());
                }
            }
        }
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON).build();
    }

    private record Edits(Map<String, Edit> edits, Map<String, String> nodeOfEdit, Map<String, PatchResult> results) {
    }

    /** Every edit of a merged run by id: the analysts' (as pooled), the merge nodes' outputs and p*. */
    private Edits edits(String id, MergerStore.Outputs out) {
        MergerStore.Run run = store.run(id).orElseThrow(() -> notFound(id));
        List<PatchResult> results = store.results(id);
        Map<String, Edit> edits = new HashMap<>();
        Map<String, String> nodeOf = new HashMap<>();
        Map<String, PatchResult> byPatch = new LinkedHashMap<>();
        results.forEach(r -> byPatch.put(r.patchId(), r));
        for (Patch p : PatchPool.of(results, run.jobIds(), run.config().unverified()).patches()) {
            p.edits().forEach(e -> edits.put(e.id(), e));
        }
        for (MergerStore.Node n : store.nodes(id)) {
            for (Edit e : n.result().output().edits()) {
                edits.put(e.id(), e);
                nodeOf.put(e.id(), n.nodeId());
            }
        }
        for (Edit e : Json.read(out.applied(), Patch.class).edits()) {
            if (e.id() != null) {
                edits.putIfAbsent(e.id(), e);
                nodeOf.putIfAbsent(e.id(), "p*");
            }
        }
        return new Edits(edits, nodeOf, byPatch);
    }

    private static ObjectNode decision(EditDecision d, Map<String, Edit> edits) {
        ObjectNode o = Json.mapper().valueToTree(d);
        Edit e = edits.get(d.edit());
        if (e != null) {
            o.put("op", e.op() == null ? null : e.op().wire());
            o.put("file", e.path());
            o.put("section", e.targetSection());
            o.put("content", e.content());
            o.put("supportTrajectories", e.support().size());
        }
        return o;
    }

    private MergerStore.Outputs outputs(String id) {
        MergerStore.Run run = store.run(id).orElseThrow(() -> notFound(id));
        return store.outputs(id).orElseThrow(() -> Problem.of(409, "Not merged yet",
                "run " + id + " is " + run.status().wire() + (run.message() == null ? "" : ": " + run.message())).failure());
    }

    private static Problem.Failure notFound(String id) {
        return Problem.of(404, "No such run", "the merger has no run " + id).failure();
    }
}
