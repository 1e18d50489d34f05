package dev.trace2skill.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trace2skill.core.skill.SkillArchive;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillDiff;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
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

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The skill registry over HTTP: upload (zip or JSON), versions, download (JSON or zip), diffs. */
@Path("/v1/skills")
@Blocking
public class SkillResource {
    public static final String ZIP = "application/zip";
    static final long MAX_UPLOAD = 25L * 1024 * 1024;

    @Inject
    SkillStore store;
    @Inject
    ObjectMapper mapper;
    @Inject
    SkillDrafts drafts;

    /** A version with its files as text (binary files as base64 in {@code binaryFiles}). */
    public record VersionView(String name, int version, String hash, String source, String createdAt,
                              Map<String, String> files, Map<String, String> binaryFiles) {
    }

    @POST
    @Consumes({ZIP, "application/octet-stream", MediaType.APPLICATION_JSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a skill version: a zip of the skill folder, or {name, files: {path: content}}")
    public Response upload(@HeaderParam("Content-Type") String contentType, @QueryParam("name") String name, InputStream body) throws IOException {
        byte[] bytes = body.readNBytes((int) MAX_UPLOAD + 1);
        if (bytes.length > MAX_UPLOAD) {
            throw Problem.of(413, "Skill too large", "a skill upload may be at most " + MAX_UPLOAD + " bytes").failure();
        }
        SkillBundle bundle = contentType != null && contentType.startsWith(MediaType.APPLICATION_JSON) ? fromJson(bytes, name) : fromZip(bytes, name);
        SkillStore.Version v = register(store, bundle, "upload");
        return Response.status(v.created() ? 201 : 200).entity(v).build();
    }

    /** Registers a bundle that keeps the Agent Skills rules; 422 naming each broken rule otherwise. */
    public static SkillStore.Version register(SkillStore store, SkillBundle bundle, String source) {
        List<Violation> violations = new SkillValidator().validate(bundle);
        if (!violations.isEmpty()) {
            List<Problem.FieldProblem> errors = violations.stream()
                    .map(v -> new Problem.FieldProblem(null, null, v.file() + ":" + v.rule(), v.message() + (v.value() == null ? "" : " (value: " + v.value() + ")")))
                    .toList();
            throw Problem.of(422, "Invalid skill", violations.size() + " Agent Skills rule(s) broken", errors).failure();
        }
        return store.register(bundle, source);
    }

    private SkillBundle fromJson(byte[] bytes, String nameParam) {
        JsonNode root;
        try {
            // from the bytes: Jackson refuses malformed UTF-8 instead of replacing it
            root = mapper.readTree(bytes);
        } catch (dev.trace2skill.service.RequestJson.InvalidText e) {
            String field = dev.trace2skill.core.json.Json.path(e);
            throw TrajectoryResource.field(422, "Invalid text", field.equals("(record)") ? "(body)" : field, e.getOriginalMessage());
        } catch (IOException e) {
            throw TrajectoryResource.field(400, "Malformed JSON", "(body)", e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject() || !root.path("files").isObject()) {
            throw TrajectoryResource.field(400, "Missing files", "files", "send {\"name\": ..., \"files\": {\"SKILL.md\": \"...\"}}");
        }
        Map<String, String> files = new LinkedHashMap<>();
        List<Problem.FieldProblem> errors = new ArrayList<>();
        root.get("files").fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                errors.add(new Problem.FieldProblem(null, null, "files." + e.getKey(), "must be the file's text"));
            } else {
                files.put(e.getKey(), e.getValue().asText());
            }
        });
        String name = root.hasNonNull("name") ? root.get("name").asText() : nameParam;
        if (name == null && files.containsKey(SkillBundle.SKILL_MD)) {
            name = dev.trace2skill.core.skill.SkillMd.parse(files.get(SkillBundle.SKILL_MD)).name();
        }
        if (name == null || name.isBlank()) {
            errors.add(new Problem.FieldProblem(null, null, "name", "the skill's folder name is required (or a SKILL.md front matter name)"));
        }
        if (!errors.isEmpty()) {
            throw Problem.of(400, "Invalid skill upload", "the upload cannot be read as a skill folder", errors).failure();
        }
        String textProblem = dev.trace2skill.core.text.TextRules.identifier(name);
        if (textProblem != null) {
            throw TrajectoryResource.field(422, "Invalid text", "name", textProblem);
        }
        try {
            return SkillBundle.ofText(name, files);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("file ")) {
                String path = e.getMessage().substring(5, Math.max(5, e.getMessage().indexOf(' ', 5)));
                throw TrajectoryResource.field(422, "Invalid text", "files." + path, e.getMessage());
            }
            throw TrajectoryResource.field(400, "Unsafe path", "files", e.getMessage());
        }
    }

    public static SkillBundle fromZip(byte[] bytes, String name) {
        try {
            return SkillArchive.read(bytes, name, SkillArchive.Limits.DEFAULT);
        } catch (SkillArchive.InvalidArchiveException e) {
            String field = e.entry() == null ? "(archive)" : dev.trace2skill.core.text.MarkdownLiteral.visible(e.entry(), 300);
            throw TrajectoryResource.field(e.status(), "Invalid skill archive", field, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw TrajectoryResource.field(400, "Invalid skill archive", "(archive)", e.getMessage());
        }
    }

    @POST
    @Path("/{name}/drafts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Draft a new skill (Creation mode's S0) from a domain brief; it becomes the skill's first version")
    public Response draft(@PathParam("name") String name, SkillDrafts.Body body) {
        SkillDrafts.Started s = drafts.start(name, body);
        return Response.status(s.created() ? 202 : 200).entity(s.draft())
                .header("Location", "/v1/skills/" + name + "/drafts/" + s.draft().id()).build();
    }

    @GET
    @Path("/{name}/drafts/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A draft: drafting, done (with the registered version) or failed (with the reason)")
    public DraftStore.Draft draft(@PathParam("name") String name, @PathParam("id") String id) {
        return drafts.get(name, id).orElseThrow(() -> Problem.of(404, "No such draft", name + " has no draft " + id).failure());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<SkillStore.Skill> list() {
        return store.list();
    }

    @GET
    @Path("/{name}/versions")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SkillStore.Version> versions(@PathParam("name") String name) {
        List<SkillStore.Version> v = store.versions(name);
        if (v.isEmpty()) {
            throw Problem.of(404, "No such skill", "no skill named " + name).failure();
        }
        return v;
    }

    @GET
    @Path("/{name}/versions/{version}")
    @Produces({MediaType.APPLICATION_JSON, ZIP})
    @Operation(summary = "One version, as JSON or (Accept: application/zip) as a zip of the folder")
    public Response version(@PathParam("name") String name, @PathParam("version") int version, @HeaderParam("Accept") String accept) {
        SkillStore.Version info = store.version(name, version)
                .orElseThrow(() -> Problem.of(404, "No such version", name + " has no version " + version).failure());
        SkillBundle bundle = store.bundle(name, version).orElseThrow();
        if (accept != null && accept.contains(ZIP) && !accept.contains(MediaType.APPLICATION_JSON)) {
            return Response.ok(SkillArchive.write(bundle), ZIP)
                    .header("Content-Disposition", "attachment; filename=\"" + name + "-v" + version + ".zip\"").build();
        }
        return Response.ok(view(info, bundle), MediaType.APPLICATION_JSON).build();
    }

    static VersionView view(SkillStore.Version info, SkillBundle bundle) {
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, String> binary = new LinkedHashMap<>();
        for (String p : bundle.paths()) {
            if (bundle.isText(p)) {
                text.put(p, bundle.text(p));
            } else {
                binary.put(p, java.util.Base64.getEncoder().encodeToString(bundle.bytes(p)));
            }
        }
        return new VersionView(info.name(), info.version(), info.hash(), info.source(), info.createdAt(), text, binary.isEmpty() ? null : binary);
    }

    @GET
    @Path("/{name}/diff")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Unified diff between two versions")
    public String diff(@PathParam("name") String name, @QueryParam("from") Integer from, @QueryParam("to") Integer to) {
        if (from == null || to == null) {
            throw TrajectoryResource.field(400, "Missing versions", from == null ? "from" : "to", "give ?from=&to= version numbers");
        }
        SkillBundle a = store.bundle(name, from).orElseThrow(() -> Problem.of(404, "No such version", name + " has no version " + from).failure());
        SkillBundle b = store.bundle(name, to).orElseThrow(() -> Problem.of(404, "No such version", name + " has no version " + to).failure());
        return SkillDiff.unified(a, b);
    }
}
