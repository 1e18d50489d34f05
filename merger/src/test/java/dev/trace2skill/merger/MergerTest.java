package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.mining.MiningParams;
import dev.trace2skill.core.mining.TraceMiner;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_merger"))
@QuarkusTestResource(ModelServerResource.class)
class MergerTest {
    static final SkillBundle S0 = SkillBundle.ofText("booking", Map.of("SKILL.md",
            "---\nname: booking\ndescription: Books flights.\n---\n# Booking\n\n## Rules\n- Verify the user.\n- Check seat availability.\n\n## Payments\nUse one certificate at most.\n"));
    final ScriptedModelServer model = ModelServerResource.server();

    static RunConfig config(AnalysisEngine engine, int branching) {
        return new RunConfig(EvolutionMode.DEEPENING, AnalystSelection.COMBINED, engine, branching, 2, null, null, null);
    }

    static void start(String runId, RunConfig config, List<String> trajectoryIds) {
        RunStarted started = new RunStarted(runId, SkillSnapshot.of(S0, 1), config,
                trajectoryIds.stream().map(t -> Topics.jobKey(runId, t)).toList(), Instant.now());
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.RUNS, runId, Json.write(started));
    }

    static void send(PatchResult r) {
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.SKILL_PATCHES, r.runId(), Json.write(r));
    }

    static PatchResult proposed(String runId, String trajectoryId, boolean success, AnalystKind kind, Patch patch) {
        return new PatchResult(runId, Topics.jobKey(runId, trajectoryId), kind.patchId(runId, trajectoryId), trajectoryId, success, kind,
                PatchResult.Status.PROPOSED, null, patch, null, new TokenUsage(10, 5), 1, 0, 3, "w");
    }

    static void awaitDone(String runId) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().body("status", equalTo("done")));
    }

    static List<Trajectory> corpus(String prefix, int n) {
        List<Trajectory> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean ok = i % 3 != 0;
            List<Step> steps = new ArrayList<>(List.of(new Step(null, ToolCall.withInput("get_user", "u" + i), "{}")));
            if (ok) {
                steps.add(new Step(null, ToolCall.withInput("search", "q" + i), "[]"));
            } else {
                steps.add(new Step(null, ToolCall.withInput("book", "b" + i), "Error: payment amount does not add up, total price is " + (100 + i)));
            }
            steps.add(new Step(null, ToolCall.withInput("book", "f" + i), "ok"));
            out.add(new Trajectory(prefix + i, null, "task " + i, steps, ok ? "booked " + i : "sorry", Outcome.of(ok), "answer " + i, null, null, null, null));
        }
        return out;
    }

    @Test
    void offlineEngineMergesMinedCandidatesIntoTheSamePatchAsMiningInOneGo() {
        String runId = "run-offline";
        List<Trajectory> ts = corpus("off-", 12);
        start(runId, config(AnalysisEngine.MINING, 3), ts.stream().map(Trajectory::id).toList());
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);
        Map<String, Set<String>> candidateSupport = new HashMap<>();
        for (Trajectory t : ts) {
            Patch candidates = miner.candidates(t, AnalystKind.MINING.patchId(runId, t.id()));
            candidates.edits().forEach(e -> candidateSupport.computeIfAbsent(e.content(), k -> new TreeSet<>()).add(t.id()));
            send(proposed(runId, t.id(), t.successful(), AnalystKind.MINING, candidates));
        }
        awaitDone(runId);
        SkillSnapshot sStar = Json.read(given().get("/v1/runs/" + runId + "/skill").then().statusCode(200).extract().asString(), SkillSnapshot.class);
        assertThat(new SkillValidator().validate(sStar.bundle())).isEmpty();
        SkillBundle direct = new dev.trace2skill.core.patch.PatchApplier(dev.trace2skill.core.patch.PatchPolicy.deepening())
                .apply(S0, miner.mine(runId, ts, S0).patch()).skill();
        assertThat(sStar.files()).isEqualTo(direct.textFiles());
        assertThat(sStar.version()).as("not registered yet").isZero();
        // trace-ingest stores S* as a registry version and says which: the merger's S* reports it from then on
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS, runId,
                Json.write(RunEvent.skillRegistered(runId, "booking@2", 2)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId + "/skill").then().statusCode(200)
                .body("version", equalTo(2)).body("hash", equalTo(sStar.hash())));

        JsonNode provenance = Json.read(given().get("/v1/runs/" + runId + "/provenance").then().statusCode(200).extract().asString(), JsonNode.class);
        Set<String> inputs = new TreeSet<>(ts.stream().map(Trajectory::id).toList());
        assertThat(provenance.size()).isPositive();
        for (JsonNode line : provenance) {
            for (JsonNode t : line.path("trajectories")) {
                assertThat(inputs).contains(t.path("id").asText());
            }
        }
        // "- `get_user` → `search` → `book` (8 of 8 successful runs)": its trajectories are exactly those whose patches carried it
        JsonNode seq = null;
        for (JsonNode line : provenance) {
            if (line.path("text").asText().startsWith("- `get_user` → `search` → `book`")) {
                seq = line;
            }
        }
        assertThat(seq).isNotNull();
        Set<String> provIds = new TreeSet<>();
        seq.path("trajectories").forEach(t -> provIds.add(t.path("id").asText()));
        assertThat(provIds).isEqualTo(candidateSupport.get("`get_user` → `search` → `book`")).hasSize(8);
        assertThat(seq.path("patches").size()).isEqualTo(provIds.size());

        given().get("/v1/runs/" + runId + "/merge-tree").then().statusCode(200)
                .body("levels", equalTo(3)).body("nodes.engine", org.hamcrest.Matchers.everyItem(equalTo("union")));
        given().get("/v1/runs/" + runId + "/changelog").then().statusCode(200).body(containsString("## Applied edits"));
        given().get("/v1/runs/" + runId + "/diff").then().statusCode(200).body(containsString("+## Workflow patterns"));
        List<SkillEvolved> evolved = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.SKILLS_EVOLVED,
                r -> r.value().contains("\"runId\":\"" + runId + "\""), 1, Duration.ofSeconds(30)).stream()
                .map(r -> Json.read(r.value(), SkillEvolved.class)).toList();
        assertThat(evolved).singleElement().satisfies(e -> assertThat(e.evolved().files()).isEqualTo(sStar.files()));
        List<RunEvent> events = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS, r -> runId.equals(r.key()),
                100, Duration.ofSeconds(3)).stream().map(r -> Json.read(r.value(), RunEvent.class)).toList();
        assertThat(events).extracting(RunEvent::type).contains(RunEvent.Type.MERGE_STARTED, RunEvent.Type.MERGE_PROGRESS, RunEvent.Type.MERGE_DONE);
    }

    static Patch patch(String runId, String trajectoryId, String section, String content) {
        return new Patch(AnalystKind.SUCCESS.patchId(runId, trajectoryId), List.of(Edit.of(EditOp.APPEND_TO_SECTION, null, section, null, content, "seen"))).supportedBy(trajectoryId);
    }

    List<PatchResult> llmPool(String runId) {
        List<PatchResult> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String content = i < 5 ? "- Confirm the passenger count." : "- Re-read the fare rules (" + i + ").";
            String section = i % 2 == 0 ? "Rules" : "Payments";
            out.add(proposed(runId, "t" + i, i % 2 == 0, AnalystKind.SUCCESS, patch(runId, "t" + i, section, content)));
        }
        return out;
    }

    @Test
    void llmMergeOperatorsSupportComesFromTheNamedSourcesAndAnInterruptedMergeResumesToTheSameSStar() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger outage = new AtomicInteger();
        model.when("merge-outage", r -> r.text().contains("(node L2.G0)") && r.text().contains("run-resume") && outage.getAndIncrement() < 2,
                Reply.error(500), Reply.error(500));
        model.fallback(r -> {
            if (!dev.trace2skill.testkit.ScriptedMerges.isMerge(r)) {
                return Reply.error(400);
            }
            calls.incrementAndGet();
            return dev.trace2skill.testkit.ScriptedMerges.foldIdentical(r);
        });

        String reference = "run-straight";
        start(reference, config(AnalysisEngine.LLM, 3), java.util.stream.IntStream.range(0, 8).mapToObj(i -> "t" + i).toList());
        llmPool(reference).forEach(MergerTest::send);
        awaitDone(reference);

        String resumed = "run-resume";
        start(resumed, config(AnalysisEngine.LLM, 3), java.util.stream.IntStream.range(0, 8).mapToObj(i -> "t" + i).toList());
        int before = calls.get();
        llmPool(resumed).forEach(MergerTest::send);
        awaitDone(resumed);
        // level 1 (3 nodes) was merged once; level 2's node failed twice (outage), then resumed alone
        assertThat(calls.get() - before).isEqualTo(4);

        SkillSnapshot a = Json.read(given().get("/v1/runs/" + reference + "/skill").then().extract().asString(), SkillSnapshot.class);
        SkillSnapshot b = Json.read(given().get("/v1/runs/" + resumed + "/skill").then().extract().asString(), SkillSnapshot.class);
        assertThat(b.hash()).isEqualTo(a.hash());
        assertThat(b.files().get("SKILL.md")).contains("- Confirm the passenger count.");
        assertThat(b.files()).containsKey("references/niche-cases.md");
        JsonNode provenance = Json.read(given().get("/v1/runs/" + resumed + "/provenance").then().extract().asString(), JsonNode.class);
        for (JsonNode line : provenance) {
            if (line.path("text").asText().equals("- Confirm the passenger count.")) {
                Set<String> ids = new TreeSet<>();
                line.path("trajectories").forEach(t -> ids.add(t.path("id").asText()));
                assertThat(ids).containsExactly("t0", "t1", "t2", "t3", "t4");
                assertThat(line.path("patches").size()).isEqualTo(5);
            }
        }
        given().get("/v1/runs/" + resumed + "/merge-tree").then().body("nodes.engine", org.hamcrest.Matchers.everyItem(equalTo("llm")))
                .body("nodes.find { it.node == 'L2.G0' }.tokens.prompt", org.hamcrest.Matchers.greaterThan(0));
    }

    @Test
    void invalidMergeOutputIsRepairedThenTheDeterministicMergeTakesOver() {
        String runId = "run-fallback";
        model.when("bad-merge", r -> r.text().contains("run-fallback"),
                Reply.text("I merged them nicely."),
                Reply.text("{\"edits\": [{\"op\": \"append_to_section\", \"target_section\": \"Rules\", \"content\": \"- x\", \"sources\": [\"invented#9\"]}]}"),
                Reply.text("{\"edits\": [{\"op\": \"append_to_section\", \"target_section\": \"Nowhere\", \"content\": \"- x\", \"sources\": [\"" + runId + ":t0:success#1\"]}]}"));
        start(runId, config(AnalysisEngine.LLM, 5), List.of("t0", "t1"));
        send(proposed(runId, "t0", true, AnalystKind.SUCCESS, patch(runId, "t0", "Rules", "- Confirm the passenger count.")));
        send(proposed(runId, "t1", false, AnalystKind.SUCCESS, patch(runId, "t1", "Rules", "- Confirm the passenger count.")));
        awaitDone(runId);
        given().get("/v1/runs/" + runId + "/merge-tree").then()
                .body("nodes[0].engine", equalTo("deterministic")).body("nodes[0].fallback", equalTo(true)).body("nodes[0].repairs", equalTo(2))
                .body("nodes[0].outputs[0].support", equalTo(2));
        assertThat(model.unplayed()).noneMatch(s -> s.startsWith("bad-merge"));
    }

    @Test
    void aStragglerTimeoutMergesWhatArrivedAndRecordsWhatIsMissing() {
        String runId = "run-straggler";
        start(runId, config(AnalysisEngine.MINING, 5), List.of("s0", "s1", "s2"));
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);
        for (Trajectory t : corpus("s", 2)) {
            send(proposed(runId, t.id(), t.successful(), AnalystKind.MINING, miner.candidates(t, AnalystKind.MINING.patchId(runId, t.id()))));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().body("status", equalTo("done")));
        given().get("/v1/runs/" + runId + "/changelog").then().body(containsString("s2: no result before the straggler timeout"));
    }

    @Test
    void duplicatesArePoolledOnceAndPoisonGoesToTheDeadLetterTopic() {
        // at-least-once delivery: every patch arrives twice; the pool stores each once and the merge sees each once
        String runId = "run-dup";
        List<Trajectory> ts = corpus("dup-", 3);
        start(runId, config(AnalysisEngine.MINING, 5), ts.stream().map(Trajectory::id).toList());
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);
        for (Trajectory t : ts) {
            PatchResult p = proposed(runId, t.id(), t.successful(), AnalystKind.MINING, miner.candidates(t, AnalystKind.MINING.patchId(runId, t.id())));
            send(p);
            send(p);
        }
        awaitDone(runId);
        given().get("/v1/runs/" + runId).then().body("results", equalTo(3));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(duplicateCount()).isGreaterThanOrEqualTo(3.0));
        given().get("/v1/runs/" + runId + "/merge-tree").then().statusCode(200).body("nodes[0].inputs.size()", equalTo(3));

        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.SKILL_PATCHES, "x", "{\"runId\": 5");
        var dead = TopicReader.read(InfraTestResource.bootstrapServers(), "merger-dlq", r -> r.value().equals("{\"runId\": 5"), 1, Duration.ofSeconds(30));
        assertThat(dead).hasSize(1);
        given().get("/v1/runs/nope/skill").then().statusCode(404).contentType("application/problem+json");
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        assertThat(given().get("/q/metrics").then().extract().asString()).contains("t2s_merge_patches_received_total");
    }

    static double duplicateCount() {
        return given().get("/q/metrics").then().extract().asString().lines()
                .filter(l -> l.startsWith("t2s_merge_patches_received_total{") && l.contains("duplicate=\"true\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
