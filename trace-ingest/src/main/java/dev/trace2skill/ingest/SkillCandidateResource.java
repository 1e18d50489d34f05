package dev.trace2skill.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillDiff;
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
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evolved skills held by the safety check: list them, read one (findings, files, diff against its S0), approve it (it
 * becomes the next version) or reject it. Deciding needs the API token (whoever may register a skill may approve one).
 */
@Path("/v1/skills/{name}/candidates")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class SkillCandidateResource {
    static final Set<String> STATUSES = Set.of(CandidateStore.PENDING, CandidateStore.APPROVED, CandidateStore.REJECTED);

    @Inject
    CandidateStore candidates;
    @Inject
    SkillCandidates gate;
    @Inject
    SkillStore skills;
    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    @GET
    @Operation(summary = "The skill's candidates (S* held by the safety check), newest first; ?status=pending|approved|rejected")
    public List<CandidateStore.Candidate> list(@PathParam("name") String name, @QueryParam("status") String status) {
        if (status != null && !STATUSES.contains(status)) {
            throw TrajectoryResource.field(400, "Invalid status", "status", "must be one of " + STATUSES);
        }
        return candidates.list(name, status, 200);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One candidate: its findings, its files and the diff against the S0 it was evolved from")
    public Map<String, Object> get(@PathParam("name") String name, @PathParam("id") String id) {
        CandidateStore.Row row = candidates.get(name, id)
                .orElseThrow(() -> Problem.of(404, "No such candidate", name + " has no candidate " + id).failure());
        SkillBundle sStar = row.sStar().bundle();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("candidate", row.candidate());
        out.put("files", row.sStar().files());
        if (row.baseVersion() != null) {
            skills.bundle(name, row.baseVersion()).ifPresent(s0 -> out.put("diff", SkillDiff.unified(s0, sStar)));
        }
        return out;
    }

    @POST
    @Path("/{id}/approve")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Approve a held S*: it is stored as the skill's next version and its run is done; optional JSON {\"note\": ...}")
    public SkillCandidates.Outcome approve(@PathParam("name") String name, @PathParam("id") String id, String body) {
        return gate.approve(name, id, text(body, "note"));
    }

    @POST
    @Path("/{id}/reject")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Reject a held S*: it never becomes a version and its run fails; optional JSON {\"reason\": ...}")
    public SkillCandidates.Outcome reject(@PathParam("name") String name, @PathParam("id") String id, String body) {
        return gate.reject(name, id, text(body, "reason"));
    }

    /** The optional JSON body's text field (no body, or an empty one, is fine). */
    private String text(String raw, String field) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        JsonNode body;
        try {
            body = mapper.readTree(raw);
        } catch (dev.trace2skill.service.RequestJson.InvalidText e) {
            throw TrajectoryResource.field(422, "Invalid text", field, e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw TrajectoryResource.field(400, "Malformed JSON", "(body)", e.getMessage().lines().findFirst().orElse(""));
        }
        if (!body.isObject() || (body.has(field) && !body.get(field).isTextual())) {
            throw TrajectoryResource.field(400, "Invalid body", field, "send {\"" + field + "\": \"...\"} or no body");
        }
        String s = body.path(field).asText(null);
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
    }
}
