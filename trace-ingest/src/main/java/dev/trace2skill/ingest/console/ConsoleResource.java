package dev.trace2skill.ingest.console;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.Provenance;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillArchive;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.ingest.FrontDoor;
import dev.trace2skill.ingest.RunStore;
import dev.trace2skill.ingest.RunView;
import dev.trace2skill.ingest.SkillResource;
import dev.trace2skill.ingest.SkillStore;
import dev.trace2skill.ingest.TrajectoryStore;
import dev.trace2skill.service.Problem;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The review console: server-rendered pages (Qute, escaped by default; trajectory text is never rendered as HTML) with
 * htmx for live parts. Everything it shows comes through the front door ({@link FrontDoor}, the registry and the run
 * store of this service).
 */
@Path("/console")
@Blocking
@Produces(MediaType.TEXT_HTML)
public class ConsoleResource {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {
    };

    /** htmx without eval, script tags in swapped content or inline indicator styles (the pages' CSP allows none). */
    static final String HTMX_CONFIG = "{\"allowEval\":false,\"allowScriptTags\":false,\"includeIndicatorStyles\":false,"
            + "\"selfRequestsOnly\":true,\"historyCacheSize\":0}";

    @Inject
    ConsoleSession sessions;
    @Inject
    RunStore runs;
    @Inject
    SkillStore skills;
    @Inject
    TrajectoryStore trajectories;
    @Inject
    FrontDoor frontDoor;
    @ConfigProperty(name = "t2s.console.htmx-path")
    String htmxPath;

    @Location("console/login.html")
    Template login;
    @Location("console/runs.html")
    Template runsPage;
    @Location("console/run.html")
    Template runPage;
    @Location("console/review.html")
    Template reviewPage;
    @Location("console/evidence.html")
    Template evidence;
    @Location("console/trajectory.html")
    Template trajectoryPart;
    @Location("console/skills.html")
    Template skillsPage;
    @Location("console/skill.html")
    Template skillPage;
    @Location("console/diff.html")
    Template diffPart;
    @Location("console/evaluations.html")
    Template evaluationsPage;
    @Location("console/evaluation.html")
    Template evaluationPage;
    @Location("console/episodes.html")
    Template episodesPart;
    @Location("console/message.html")
    Template message;

    // ---- login --------------------------------------------------------------------------------------------------

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/console/runs")).build();
    }

    @GET
    @Path("/login")
    public TemplateInstance loginForm(@QueryParam("next") String next) {
        return login.data("next", safeNext(next)).data("error", null).data("htmx", htmxPath);
    }

    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("token") String token, @FormParam("next") String next,
                          @HeaderParam("X-Forwarded-Proto") String proto, @Context ContainerRequestContext request) {
        if (!sessions.tokenMatches(token)) {
            return Response.status(401).entity(login.data("next", safeNext(next)).data("error", "That is not this system's API token.")
                    .data("htmx", htmxPath)).type(MediaType.TEXT_HTML).build();
        }
        boolean https = "https".equalsIgnoreCase(proto) || "https".equals(request.getUriInfo().getRequestUri().getScheme());
        return Response.seeOther(URI.create(safeNext(next))).cookie(sessions.cookie(sessions.newSession(), https)).build();
    }

    @POST
    @Path("/logout")
    public Response logout(@HeaderParam("X-Forwarded-Proto") String proto) {
        return Response.ok().header("HX-Redirect", "/console/login").cookie(sessions.cleared("https".equalsIgnoreCase(proto))).build();
    }

    /** Only a path inside the console: never an open redirect. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/console/") || next.startsWith("//") || next.contains("\\") || next.contains("://")) {
            return "/console/runs";
        }
        return next;
    }

    private TemplateInstance page(Template t, ContainerRequestContext request) {
        String session = (String) request.getProperty(ConsoleAuth.SESSION);
        return t.data("csrfHeaders", Json.write(Map.of(ConsoleSession.CSRF_HEADER, sessions.csrf(session)))).data("htmx", htmxPath)
                .data("htmxConfig", HTMX_CONFIG);
    }

    // ---- runs ---------------------------------------------------------------------------------------------------

    @GET
    @Path("/runs")
    public TemplateInstance runs(@Context ContainerRequestContext request) {
        return page(runsPage, request).data("runs", progress(runs.list(100))).data("fragment", false);
    }

    @GET
    @Path("/runs/table")
    public TemplateInstance runsTable(@Context ContainerRequestContext request) {
        return page(runsPage, request).data("runs", progress(runs.list(100))).data("fragment", true);
    }

    private static List<Views.Progress> progress(List<RunView> list) {
        Instant now = Instant.now();
        return list.stream().map(r -> Views.Progress.of(r, now)).toList();
    }

    @GET
    @Path("/runs/{id}")
    public TemplateInstance run(@PathParam("id") String id, @Context ContainerRequestContext request) {
        return page(runPage, request).data("p", Views.Progress.of(run(id), Instant.now())).data("fragment", false);
    }

    @GET
    @Path("/runs/{id}/progress")
    public TemplateInstance runProgress(@PathParam("id") String id, @Context ContainerRequestContext request) {
        return page(runPage, request).data("p", Views.Progress.of(run(id), Instant.now())).data("fragment", true);
    }

    @POST
    @Path("/runs/{id}/cancel")
    public TemplateInstance cancel(@PathParam("id") String id, @Context ContainerRequestContext request) {
        frontDoor.cancel(id);
        return runProgress(id, request);
    }

    private RunView run(String id) {
        return runs.get(id).orElseThrow(() -> Problem.of(404, "No such run", "no run with id " + id).failure());
    }

    // ---- skill review: S0 -> S* with the evidence behind every line ---------------------------------------------

    @GET
    @Path("/runs/{id}/review")
    public TemplateInstance review(@PathParam("id") String id, @Context ContainerRequestContext request) {
        RunView run = run(id);
        Optional<String> skillJson = frontDoor.text("merger", () -> frontDoor.runOutput(id, "skill", MediaType.APPLICATION_JSON));
        if (skillJson.isEmpty()) {
            return page(message, request).data("title", "Run " + id).data("text", "S* is not ready yet: the run is " + run.status().wire() + ".")
                    .data("back", "/console/runs/" + id);
        }
        SkillSnapshot sStar = Json.read(skillJson.get(), SkillSnapshot.class);
        SkillBundle s0 = s0(run);
        List<Provenance.Line> lines = List.of(Json.read(frontDoor.text("merger", () -> frontDoor.runOutput(id, "provenance",
                MediaType.APPLICATION_JSON)).orElse("[]"), Provenance.Line[].class));
        Map<String, Provenance.Line> byLine = new LinkedHashMap<>();
        lines.forEach(l -> byLine.put(l.file() + "\u0000" + l.line() + "\u0000" + l.change(), l));
        Set<String> paths = new TreeSet<>(s0.paths());
        paths.addAll(sStar.files().keySet());
        List<Views.ReviewFile> files = new ArrayList<>();
        int n = 0;
        for (String path : orderSkillMdFirst(paths)) {
            String before = s0.has(path) && s0.isText(path) ? s0.text(path) : null;
            String after = sStar.files().get(path);
            List<Views.ReviewRow> rows = new ArrayList<>();
            int added = 0;
            int removed = 0;
            for (SideBySide.Row r : SideBySide.rows(before, after)) {
                Provenance.Line plus = r.changedRight() ? byLine.get(path + "\u0000" + r.right() + "\u0000added") : null;
                Provenance.Line minus = r.changedLeft() ? byLine.get(path + "\u0000" + r.left() + "\u0000removed") : null;
                added += r.changedRight() ? 1 : 0;
                removed += r.changedLeft() ? 1 : 0;
                rows.add(new Views.ReviewRow(r.left(), r.leftText(), r.right(), r.rightText(), r.kind(),
                        plus == null ? null : support(plus), plus == null ? null : evidenceUrl(id, path, r.right(), "added"),
                        minus == null ? null : support(minus), minus == null ? null : evidenceUrl(id, path, r.left(), "removed")));
            }
            String status = before == null ? "new" : after == null ? "removed" : added + removed == 0 ? "unchanged" : "changed";
            files.add(new Views.ReviewFile(path, "file-" + (n++), rows, added, removed, status));
        }
        String tree = frontDoor.json("merger", () -> frontDoor.runOutput(id, "merge-tree", MediaType.APPLICATION_JSON))
                .map(MergeTreeSvg::render).orElse(null);
        return page(reviewPage, request).data("run", run).data("sStar", sStar).data("files", files).data("lines", lines.size())
                .data("decisions", decisions(id)).data("treeSvg", tree);
    }

    private static List<String> orderSkillMdFirst(Set<String> paths) {
        List<String> out = new ArrayList<>();
        if (paths.contains(SkillBundle.SKILL_MD)) {
            out.add(SkillBundle.SKILL_MD);
        }
        paths.stream().filter(p -> !p.equals(SkillBundle.SKILL_MD)).forEach(out::add);
        return out;
    }

    private static String support(Provenance.Line l) {
        return l.support() == null || l.support().trajectories() == 0 ? "no recorded support" : l.support().text();
    }

    private static String evidenceUrl(String run, String file, int line, String change) {
        return "/console/runs/" + enc(run) + "/evidence?file=" + enc(file) + "&line=" + line + "&change=" + change;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private SkillBundle s0(RunView run) {
        String ref = run.skill();
        int at = ref == null ? -1 : ref.lastIndexOf('@');
        if (at < 0) {
            throw Problem.of(409, "No S0", "run " + run.id() + " has no S0 version yet").failure();
        }
        String name = ref.substring(0, at);
        int version = Integer.parseInt(ref.substring(at + 1));
        return skills.bundle(name, version).orElseThrow(() -> Problem.of(404, "No such version", ref + " is not in the registry").failure());
    }

    private List<Views.Decision> decisions(String id) {
        List<Views.Decision> out = new ArrayList<>();
        Optional<JsonNode> d = frontDoor.json("merger", () -> frontDoor.runOutput(id, "decisions", MediaType.APPLICATION_JSON));
        if (d.isEmpty()) {
            return out;
        }
        for (JsonNode n : d.get().path("nodes")) {
            for (JsonNode x : n.path("decisions")) {
                if (x.path("action").asText().equals("DROPPED")) {
                    out.add(decision(n.path("node").asText(), x));
                }
            }
        }
        for (JsonNode x : d.get().path("final")) {
            String action = x.path("action").asText();
            if (action.equals("DROPPED") || action.equals("ROUTED")) {
                out.add(decision("p*", x));
            }
        }
        return out;
    }

    private static Views.Decision decision(String where, JsonNode x) {
        return new Views.Decision(where, x.path("action").asText().toLowerCase(java.util.Locale.ROOT), x.path("edit").asText(),
                x.path("into").isMissingNode() ? null : x.path("into").asText(), text(x, "section"), text(x, "content"), text(x, "reason"),
                x.has("supportTrajectories") ? x.path("supportTrajectories").asInt() : null);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    /** The evidence behind one changed line: its support, the edits and merge nodes it came from, the trajectories. */
    @GET
    @Path("/runs/{id}/evidence")
    public TemplateInstance evidence(@PathParam("id") String id, @QueryParam("file") String file, @QueryParam("line") int line,
                                     @QueryParam("change") String change, @Context ContainerRequestContext request) {
        List<Provenance.Line> lines = List.of(Json.read(frontDoor.text("merger", () -> frontDoor.runOutput(id, "provenance",
                MediaType.APPLICATION_JSON)).orElse("[]"), Provenance.Line[].class));
        Provenance.Line l = lines.stream().filter(x -> x.file().equals(file) && x.line() == line && x.change().equals(change)).findFirst()
                .orElseThrow(() -> Problem.of(404, "No such line", file + ":" + line + " (" + change + ") has no provenance").failure());
        List<Views.LineageStep> steps = new ArrayList<>();
        if (!l.edits().isEmpty()) {
            JsonNode lineage = frontDoor.json("merger", () -> frontDoor.lineage(id, l.edits())).orElse(Json.mapper().createObjectNode());
            JsonNode analyses = lineage.path("analyses");
            for (JsonNode s : lineage.path("steps")) {
                String patch = text(s, "patch");
                JsonNode a = patch == null ? Json.mapper().missingNode() : analyses.path(patch);
                String node = text(s, "node");
                String where = node != null ? (node.equals("p*") ? "final patch p*" : "merge node " + node)
                        : "analyst patch " + (patch == null ? "?" : patch);
                steps.add(new Views.LineageStep(s.path("depth").asInt(), s.path("edit").asText(), where, text(s, "op"), text(s, "section"),
                        text(s, "content"), text(s, "rationale"), s.path("support").size(), text(a, "trajectoryId"), text(a, "analyst"),
                        a.has("trajectorySuccess") ? a.path("trajectorySuccess").asBoolean() : null,
                        a.has("verified") ? a.path("verified").asBoolean() : null, s.path("missing").asBoolean(false)));
            }
        }
        Set<String> unverified = l.unverified() == null ? Set.of() : new LinkedHashSet<>(l.unverified());
        List<Views.TrajectoryRef> refs = l.trajectories().stream()
                .map(t -> new Views.TrajectoryRef(t.id(), t.success(), unverified.contains(t.id()))).toList();
        return page(evidence, request).data("line", l).data("support", support(l)).data("steps", steps).data("trajectories", refs)
                .data("runId", id);
    }

    /** A trajectory as the agent ran it: query, steps (reasoning, tool call, observation), answer, outcome. */
    @GET
    @Path("/trajectories/{id}")
    public TemplateInstance trajectory(@PathParam("id") String id, @Context ContainerRequestContext request) {
        Trajectory t = trajectories.body(id).map(b -> Json.read(b, Trajectory.class))
                .orElseThrow(() -> Problem.of(404, "No such trajectory", "no trajectory with id " + id).failure());
        return page(trajectoryPart, request).data("t", t).data("steps", steps(t));
    }

    static List<Views.StepView> steps(Trajectory t) {
        List<Views.StepView> out = new ArrayList<>();
        int n = 1;
        for (Step s : t.steps()) {
            out.add(new Views.StepView(n++, s.reasoning(), s.action() == null ? null : s.action().tool(),
                    s.action() == null || s.action().arguments() == null ? null : s.action().arguments().toString(), s.observation(),
                    Boolean.TRUE.equals(s.error()), s.errorRule()));
        }
        return out;
    }

    @GET
    @Path("/runs/{id}/merge-tree.svg")
    @Produces("image/svg+xml")
    public Response mergeTree(@PathParam("id") String id) {
        JsonNode tree = frontDoor.json("merger", () -> frontDoor.runOutput(id, "merge-tree", MediaType.APPLICATION_JSON))
                .orElseThrow(() -> Problem.of(404, "No merge tree", "run " + id + " has not merged yet").failure());
        return Response.ok(MergeTreeSvg.render(tree), "image/svg+xml").build();
    }

    // ---- skills -------------------------------------------------------------------------------------------------

    @GET
    @Path("/skills")
    public TemplateInstance skills(@Context ContainerRequestContext request) {
        return page(skillsPage, request).data("skills", skills.list());
    }

    @GET
    @Path("/skills/{name}")
    public TemplateInstance skill(@PathParam("name") String name, @Context ContainerRequestContext request) {
        List<SkillStore.Version> versions = skills.versions(name);
        if (versions.isEmpty()) {
            throw Problem.of(404, "No such skill", "no skill named " + name).failure();
        }
        return page(skillPage, request).data("name", name).data("versions", versions);
    }

    @GET
    @Path("/skills/{name}/diff")
    public TemplateInstance diff(@PathParam("name") String name, @QueryParam("from") int from, @QueryParam("to") int to,
                                 @Context ContainerRequestContext request) {
        SkillBundle a = skills.bundle(name, from).orElseThrow(() -> Problem.of(404, "No such version", name + " has no version " + from).failure());
        SkillBundle b = skills.bundle(name, to).orElseThrow(() -> Problem.of(404, "No such version", name + " has no version " + to).failure());
        Set<String> paths = new TreeSet<>(a.paths());
        paths.addAll(b.paths());
        List<Views.ReviewFile> files = new ArrayList<>();
        int n = 0;
        for (String p : orderSkillMdFirst(paths)) {
            String before = a.has(p) && a.isText(p) ? a.text(p) : null;
            String after = b.has(p) && b.isText(p) ? b.text(p) : null;
            List<Views.ReviewRow> rows = new ArrayList<>();
            int added = 0;
            int removed = 0;
            for (SideBySide.Row r : SideBySide.rows(before, after)) {
                added += r.changedRight() ? 1 : 0;
                removed += r.changedLeft() ? 1 : 0;
                rows.add(new Views.ReviewRow(r.left(), r.leftText(), r.right(), r.rightText(), r.kind(), null, null, null, null));
            }
            if (added + removed > 0) {
                files.add(new Views.ReviewFile(p, "diff-" + (n++), rows, added, removed, before == null ? "new" : after == null ? "removed" : "changed"));
            }
        }
        return page(diffPart, request).data("name", name).data("from", from).data("to", to).data("files", files);
    }

    @GET
    @Path("/skills/{name}/versions/{version}.zip")
    @Produces("application/zip")
    public Response zip(@PathParam("name") String name, @PathParam("version") int version) {
        SkillBundle b = skills.bundle(name, version).orElseThrow(() -> Problem.of(404, "No such version", name + " has no version " + version).failure());
        return Response.ok(SkillArchive.write(b), "application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + name + "-v" + version + ".zip\"").build();
    }

    /**
     * Registers a skill from the upload form: a zip of the folder ({@code archive}), or the files of a folder
     * ({@code files}, each named by its path inside the chosen folder).
     */
    @POST
    @Path("/skills")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public TemplateInstance upload(@RestForm("archive") FileUpload archive, @RestForm("files") List<FileUpload> files,
                                   @Context ContainerRequestContext request) throws IOException {
        SkillBundle bundle;
        try {
            bundle = uploaded(archive, files);
        } catch (Problem.Failure f) {
            return page(message, request).data("title", f.problem().title()).data("text", f.problem().detail())
                    .data("errors", f.problem().errors()).data("back", null);
        }
        try {
            SkillStore.Version v = SkillResource.register(skills, bundle, "upload");
            return page(message, request).data("title", v.created() ? "Registered" : "Already registered")
                    .data("text", v.name() + "@" + v.version() + (v.created() ? " is stored." : " has the same content."))
                    .data("errors", List.of()).data("back", "/console/skills/" + v.name());
        } catch (Problem.Failure f) {
            return page(message, request).data("title", f.problem().title()).data("text", f.problem().detail())
                    .data("errors", f.problem().errors()).data("back", null);
        }
    }

    private static SkillBundle uploaded(FileUpload archive, List<FileUpload> files) throws IOException {
        if (archive != null && archive.size() > 0) {
            if (archive.size() > 25L * 1024 * 1024) {
                throw Problem.of(413, "Skill too large", "a skill upload may be at most 25 MB").failure();
            }
            return SkillResource.fromZip(Files.readAllBytes(archive.uploadedFile()), null);
        }
        List<FileUpload> present = files == null ? List.of() : files.stream().filter(f -> f.size() > 0 || f.fileName() != null && !f.fileName().isBlank()).toList();
        if (present.isEmpty()) {
            throw Problem.field(400, "Nothing uploaded", "choose a zip of the skill folder, or the folder itself", "archive", "empty");
        }
        Map<String, byte[]> content = new LinkedHashMap<>();
        String folder = null;
        long total = 0;
        for (FileUpload f : present) {
            String name = f.fileName().replace('\\', '/');
            int slash = name.indexOf('/');
            if (slash > 0) {
                folder = folder == null ? name.substring(0, slash) : folder;
                name = name.substring(slash + 1);
            }
            total += f.size();
            if (total > 25L * 1024 * 1024) {
                throw Problem.of(413, "Skill too large", "a skill upload may be at most 25 MB").failure();
            }
            content.put(name, Files.readAllBytes(f.uploadedFile()));
        }
        if (folder == null && content.containsKey(SkillBundle.SKILL_MD)) {
            folder = dev.trace2skill.core.skill.SkillMd.parse(new String(content.get(SkillBundle.SKILL_MD), java.nio.charset.StandardCharsets.UTF_8)).name();
        }
        if (folder == null || folder.isBlank()) {
            throw Problem.field(400, "No skill name", "the folder's name (or SKILL.md's name) names the skill", "files", "no folder name");
        }
        try {
            return SkillBundle.ofBytes(folder, content);
        } catch (IllegalArgumentException e) {
            throw Problem.field(400, "Unsafe path", e.getMessage(), "files", e.getMessage());
        }
    }

    // ---- evaluations and experiments ----------------------------------------------------------------------------

    @GET
    @Path("/{kind: evaluations|experiments}")
    public TemplateInstance evaluations(@PathParam("kind") String kind, @Context ContainerRequestContext request) {
        Response r = FrontDoor.relay("evaluator", () -> frontDoor.evaluator().list(frontDoor.bearer(), kind, 100));
        List<Map<String, Object>> items = List.of();
        String unavailable = null;
        if (r.getStatus() == 200) {
            items = Json.mapper().convertValue(Json.read(new String((byte[]) r.getEntity(), java.nio.charset.StandardCharsets.UTF_8), JsonNode.class), LIST);
        } else {
            unavailable = r.getStatus() == 404 ? "This evaluator does not serve " + kind + " yet (pending the experiments API)."
                    : "The evaluator answered " + r.getStatus() + ".";
        }
        return page(evaluationsPage, request).data("kind", kind).data("items", items).data("unavailable", unavailable);
    }

    @GET
    @Path("/{kind: evaluations|experiments}/{id}")
    public TemplateInstance evaluation(@PathParam("kind") String kind, @PathParam("id") String id, @QueryParam("fragment") boolean fragment,
                                       @Context ContainerRequestContext request) {
        Map<String, Object> ev = Json.mapper().convertValue(frontDoor.json("evaluator", () -> frontDoor.evaluator().get(frontDoor.bearer(), kind, id))
                .orElseThrow(() -> Problem.of(404, "Not found", "no " + kind + " " + id).failure()), MAP);
        String status = String.valueOf(ev.get("status"));
        boolean running = status.equals("running") || status.equals("pending") || status.equals("queued");
        String markdown = kind.equals("experiments") ? frontDoor.text("evaluator",
                () -> frontDoor.evaluator().report(frontDoor.bearer(), kind, id, "text/markdown")).orElse(null) : null;
        Object report = ev.get("report");
        List<Object> conditions = report instanceof Map<?, ?> m && m.get("conditions") instanceof List<?> l ? List.copyOf(l) : List.of();
        List<Object> matrix = report instanceof Map<?, ?> m2 && m2.get("matrix") instanceof List<?> l2 ? List.copyOf(l2) : List.of();
        Map<String, Object> summary = new LinkedHashMap<>(ev);
        summary.remove("report");
        Object progress = summary.remove("progress");
        return page(evaluationPage, request).data("kind", kind).data("id", id).data("ev", ev).data("status", status).data("running", running)
                .data("fields", Views.fields(summary)).data("progress", progress instanceof Map<?, ?> pm ? Views.fields(cast(pm)) : List.of())
                .data("conditions", conditions).data("matrix", matrix).data("markdown", markdown).data("fragment", fragment);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    @GET
    @Path("/{kind: evaluations|experiments}/{id}/chart.svg")
    @Produces("image/svg+xml")
    public Response chart(@PathParam("kind") String kind, @PathParam("id") String id) {
        Response r = FrontDoor.relay("evaluator", () -> frontDoor.evaluator().report(frontDoor.bearer(), kind, id, "image/svg+xml"));
        return Response.status(r.getStatus()).entity(r.getEntity()).type("image/svg+xml")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'").build();
    }

    /** The episodes of an evaluation, filtered by outcome (the evaluator's status) and condition. */
    @GET
    @Path("/{kind: evaluations|experiments}/{id}/episodes")
    public TemplateInstance episodes(@PathParam("kind") String kind, @PathParam("id") String id, @QueryParam("status") String status,
                                     @QueryParam("condition") String condition, @Context ContainerRequestContext request) {
        String s = status == null || status.isBlank() ? null : status;
        List<Map<String, Object>> all = frontDoor.json("evaluator", () -> frontDoor.evaluator().episodes(frontDoor.bearer(), kind, id, s, 1000, 0))
                .map(j -> Json.mapper().convertValue(j, LIST)).orElse(List.of());
        List<Map<String, Object>> shown = all.stream()
                .filter(e -> condition == null || condition.isBlank() || condition.equals(String.valueOf(e.get("condition")))).toList();
        return page(episodesPart, request).data("kind", kind).data("id", id).data("episodes", shown).data("total", all.size());
    }

    @GET
    @Path("/{kind: evaluations|experiments}/{id}/episodes/{episodeId}")
    public TemplateInstance episode(@PathParam("kind") String kind, @PathParam("id") String id, @PathParam("episodeId") String episodeId,
                                    @Context ContainerRequestContext request) {
        JsonNode e = frontDoor.json("evaluator", () -> frontDoor.evaluator().episode(frontDoor.bearer(), kind, id, episodeId))
                .orElseThrow(() -> Problem.of(404, "No such episode", episodeId).failure());
        Trajectory t = e.has("trajectory") ? Json.mapper().convertValue(e.get("trajectory"), Trajectory.class) : null;
        if (t == null) {
            return page(message, request).data("title", "Episode " + episodeId).data("text", "No trajectory recorded (status "
                    + e.path("status").asText() + (e.has("error") ? ": " + e.path("error").asText() : "") + ").").data("errors", List.of()).data("back", null);
        }
        return page(trajectoryPart, request).data("t", t).data("steps", steps(t));
    }

    @POST
    @Path("/{kind: evaluations|experiments}/{id}/cancel")
    public TemplateInstance cancelEvaluation(@PathParam("kind") String kind, @PathParam("id") String id, @Context ContainerRequestContext request) {
        Response r = FrontDoor.relay("evaluator", () -> frontDoor.evaluator().cancel(frontDoor.bearer(), kind, id));
        if (r.getStatus() >= 300) {
            return page(message, request).data("title", "Not cancelled").data("text", "The evaluator answered " + r.getStatus() + ".")
                    .data("errors", List.of()).data("back", null);
        }
        return evaluation(kind, id, true, request);
    }
}
