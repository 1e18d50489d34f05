package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.Attribution;
import dev.trace2skill.core.merge.Provenance;
import dev.trace2skill.core.skill.SkillArchive;
import dev.trace2skill.service.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** What a run produced, for users to read: S*, the diff, the changelog, the merge tree and the provenance. */
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
        o.put("results", store.results(id).size());
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

    private MergerStore.Outputs outputs(String id) {
        MergerStore.Run run = store.run(id).orElseThrow(() -> notFound(id));
        return store.outputs(id).orElseThrow(() -> Problem.of(409, "Not merged yet",
                "run " + id + " is " + run.status().wire() + (run.message() == null ? "" : ": " + run.message())).failure());
    }

    private static Problem.Failure notFound(String id) {
        return Problem.of(404, "No such run", "the merger has no run " + id).failure();
    }
}
