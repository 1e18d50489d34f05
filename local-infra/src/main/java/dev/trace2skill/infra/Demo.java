package dev.trace2skill.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code ./t2s demo}: against a running stack, registers the sample skill, pushes the sample trajectories, evolves the
 * skill (offline miner, or model analysts when a model endpoint is configured), shows progress, and writes S*, the
 * diff, the changelog, the merge tree and the provenance to the output folder.
 */
@Command(name = "t2s-demo", mixinStandardHelpOptions = true)
public final class Demo implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Option(names = "--ingest", required = true)
    String ingest;
    @Option(names = "--merger", required = true)
    String merger;
    @Option(names = "--token", required = true)
    String token;
    @Option(names = "--samples", required = true)
    Path samples;
    @Option(names = "--out", required = true)
    Path out;
    @Option(names = "--engine", description = "llm or mining; default: llm when T2S_MODEL_BASE_URL is set, else mining")
    String engine;
    @Option(names = "--timeout", defaultValue = "PT10M")
    Duration timeout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Demo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String eng = engine != null ? engine : System.getenv("T2S_MODEL_BASE_URL") != null ? "llm" : "mining";
        Path skillDir = samples.resolve("skills/refund-desk");
        ObjectNode skill = JSON.createObjectNode().put("name", skillDir.getFileName().toString());
        ObjectNode files = skill.putObject("files");
        try (Stream<Path> walk = Files.walk(skillDir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(skillDir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        }
        JsonNode version = send("POST", ingest + "/v1/skills", "application/json", skill.toString());
        String ref = version.path("name").asText() + "@" + version.path("version").asInt();
        System.out.println("registered S0 " + ref);

        JsonNode pushed = send("POST", ingest + "/v1/trajectories?dataset=demo", "application/x-ndjson",
                Files.readString(samples.resolve("trajectories.ndjson")));
        System.out.printf("pushed %d trajectories to dataset demo (%d new, %d already there)%n",
                pushed.path("received").asInt(), pushed.path("accepted").asInt(), pushed.path("duplicates").asInt());

        ObjectNode run = JSON.createObjectNode().put("skill", ref).put("analysts", "combined").put("engine", eng)
                .put("mode", "deepening").put("mergeBranching", 4).put("minSupport", 2);
        run.putObject("trajectories").put("dataset", "demo");
        JsonNode started = send("POST", ingest + "/v1/runs", "application/json", run.toString());
        String runId = started.path("id").asText();
        System.out.printf("run %s: %d analysis jobs (%s engine)%n", runId, started.path("counts").path("jobsPublished").asInt(), eng);

        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        JsonNode state;
        while (true) {
            state = get(ingest + "/v1/runs/" + runId);
            String status = state.path("status").asText();
            JsonNode c = state.path("counts");
            JsonNode m = state.path("merge");
            String line = String.format("  %-9s analyses %d/%d (%d failed)%s", status, c.path("analysesDone").asInt() + c.path("analysesFailed").asInt(),
                    c.path("jobsPublished").asInt(), c.path("analysesFailed").asInt(),
                    m.has("nodesTotal") ? String.format(", merge nodes %d/%d (level %d of %d)", m.path("nodesDone").asInt(),
                            m.path("nodesTotal").asInt(), m.path("level").asInt(), m.path("levels").asInt()) : "");
            if (!line.equals(last)) {
                System.out.println(line);
                last = line;
            }
            if (status.equals("done") || status.equals("failed")) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                System.err.println("the run did not finish within " + timeout);
                return 1;
            }
            Thread.sleep(500);
        }
        if (state.path("status").asText().equals("failed")) {
            System.err.println("the run failed: " + state.path("message").asText());
            return 1;
        }
        writeOutputs(runId, state);
        return 0;
    }

    private void writeOutputs(String runId, JsonNode state) throws Exception {
        Files.createDirectories(out);
        JsonNode sStar = get(merger + "/v1/runs/" + runId + "/skill");
        Path skillOut = out.resolve(sStar.path("name").asText());
        deleteTree(skillOut);
        for (Iterator<Map.Entry<String, JsonNode>> it = sStar.path("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Path target = skillOut.resolve(f.getKey()).normalize();
            if (!target.startsWith(skillOut)) {
                throw new IllegalStateException("unsafe path in S*: " + f.getKey());
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.getValue().asText());
        }
        Files.writeString(out.resolve("diff.patch"), text(merger + "/v1/runs/" + runId + "/diff"));
        Files.writeString(out.resolve("CHANGELOG.md"), text(merger + "/v1/runs/" + runId + "/changelog"));
        Files.writeString(out.resolve("merge-tree.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(get(merger + "/v1/runs/" + runId + "/merge-tree")));
        JsonNode provenance = get(merger + "/v1/runs/" + runId + "/provenance");
        Files.writeString(out.resolve("provenance.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(provenance));
        Files.writeString(out.resolve("provenance.md"), provenanceReport(runId, provenance));
        System.out.println("S* is " + state.path("evolvedSkill").asText() + "; written to:");
        System.out.println("  " + skillOut + "/          the evolved skill folder");
        System.out.println("  " + out.resolve("diff.patch") + "      unified diff S0 -> S*");
        System.out.println("  " + out.resolve("CHANGELOG.md") + "    applied, moved and dropped edits with their support");
        System.out.println("  " + out.resolve("provenance.md") + "   each changed line with its trajectories (also provenance.json)");
        System.out.println("  " + out.resolve("merge-tree.json") + " levels, groups, inputs and outputs of the merge");
    }

    static String provenanceReport(String runId, JsonNode provenance) {
        StringBuilder md = new StringBuilder("# Provenance of run " + runId + "\n\nEvery line of S* that differs from S0, with the trajectories behind it.\n");
        String file = null;
        for (JsonNode line : provenance) {
            if (!line.path("file").asText().equals(file)) {
                file = line.path("file").asText();
                md.append("\n## ").append(file).append("\n\n");
            }
            md.append(line.path("change").asText().equals("added") ? "+ " : "- ").append("line ").append(line.path("line").asInt())
                    .append(": `").append(line.path("text").asText().replace("`", "'")).append("`\n");
            if (line.path("trajectories").size() > 0) {
                StringBuilder ids = new StringBuilder();
                int ok = 0;
                for (JsonNode t : line.path("trajectories")) {
                    ids.append(ids.isEmpty() ? "" : ", ").append(t.path("id").asText()).append(t.path("success").asBoolean() ? " ✓" : " ✗");
                    ok += t.path("success").asBoolean() ? 1 : 0;
                }
                md.append("  - support ").append(line.path("trajectories").size()).append(" (").append(ok).append(" successful): ").append(ids).append('\n');
            }
        }
        return md.toString();
    }

    private JsonNode send(String method, String url, String contentType, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", contentType).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + res.statusCode() + ": " + res.body());
        }
        return JSON.readTree(res.body());
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        return JSON.readTree(text(url));
    }

    private String text(String url) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1))
                        .header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) {
            throw new IllegalStateException("GET " + url + " answered " + res.statusCode() + ": " + res.body());
        }
        return res.body();
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }
}
