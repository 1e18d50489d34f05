package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.mining.MiningParams;
import dev.trace2skill.core.mining.TraceMiner;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.pipeline.UnverifiedPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import dev.trace2skill.testkit.ScriptedMerges;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Issue 11 on the merger: support checked by similarity and counted per task, the unverified policy, the merge window
 * that follows the work, late results, and the merge operator seeing the files its edits touch. Real broker and
 * database; the merge operator is the scripted model server, answering over the real protocol.
 */
@QuarkusTest
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_merger"))
@QuarkusTestResource(ModelServerResource.class)
class SupportAndWindowTest {
    static final String FARES = "# Fares\n\n## Changes\n- A change fee of 75 dollars applies to economy tickets.\n\n## Refunds\n- Refunds go back to the original payment method.\n";
    static final SkillBundle S0 = SkillBundle.ofText("booking", Map.of(
            "SKILL.md", "---\nname: booking\ndescription: Books flights.\n---\n# Booking\n\n## Rules\n- Verify the user.\n- Check seat availability."
                    + "\n\n## Payments\nUse one certificate at most. Fare details are in references/fares.md.\n",
            "references/fares.md", FARES));
    final ScriptedModelServer model = ModelServerResource.server();
    @jakarta.inject.Inject
    MergerStore store;

    @BeforeEach
    void foldIdenticalMerges() {
        model.fallback(r -> ScriptedMerges.isMerge(r) ? ScriptedMerges.foldIdentical(r) : Reply.error(400));
    }

    static RunConfig config(AnalysisEngine engine, int branching, int minSupport) {
        return new RunConfig(null, null, engine, branching, minSupport, null, null, null);
    }

    static void start(String runId, RunConfig config, List<String> trajectoryIds) {
        RunStarted started = new RunStarted(runId, SkillSnapshot.of(S0, 1), config,
                trajectoryIds.stream().map(t -> Topics.jobKey(runId, t)).toList(), Instant.now());
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.RUNS, runId, Json.write(started));
    }

    static void send(PatchResult r) {
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.SKILL_PATCHES, r.runId(), Json.write(r));
    }

    static PatchResult result(String runId, String trajectoryId, String task, AnalystKind kind, Boolean verified, Boolean groundTruth,
                              Edit... edits) {
        Patch patch = new Patch(kind.patchId(runId, trajectoryId), List.of(edits)).supportedBy(trajectoryId);
        return new PatchResult(runId, Topics.jobKey(runId, trajectoryId), patch.id(), trajectoryId, kind == AnalystKind.SUCCESS, kind,
                PatchResult.Status.PROPOSED, verified, patch, null, new TokenUsage(10, 5), 1, 0, 3, "w", task, groundTruth);
    }

    static Edit append(String section, String content) {
        return Edit.of(EditOp.APPEND_TO_SECTION, null, section, null, content, "seen");
    }

    static JsonNode awaitStatus(String runId, String status, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> given().get("/v1/runs/" + runId).then().body("status", equalTo(status)));
        return Json.read(given().get("/v1/runs/" + runId).then().extract().asString(), JsonNode.class);
    }

    static String get(String path) {
        return given().get(path).then().statusCode(200).extract().asString();
    }

    @Test
    void resultsStoredBeforeTheirRunIsAnnouncedCountTowardsItsPoolAndItsLastJobStartsTheMerge() {
        String runId = "run-early";
        Edit dates = append("Rules", "- Confirm the travel dates before booking.");
        PatchResult first = result(runId, "t0", "task-a", AnalystKind.SUCCESS, null, null, dates);
        send(first);
        send(first); // a redelivery is stored once
        send(result(runId, "t1", "task-b", AnalystKind.SUCCESS, null, null, dates));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> store.pooled(runId) == 2);

        start(runId, config(AnalysisEngine.LLM, 5, 1), List.of("t0", "t1", "t2"));
        assertThat(awaitStatus(runId, "collecting", Duration.ofSeconds(30)).path("results").asInt()).isEqualTo(2);
        send(result(runId, "t2", "task-c", AnalystKind.SUCCESS, null, null, dates));
        // the pool's size starts the merge as soon as the third job has answered, well before the 20 s merge window
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> !given().get("/v1/runs/" + runId).then().extract().path("status").equals("collecting"));
        assertThat(awaitStatus(runId, "done", Duration.ofSeconds(90)).path("results").asInt()).isEqualTo(3);
    }

    @Test
    void aFabricatedSourceIsRejectedByTheAttributionCheckAndListedInTheProvenance() {
        String runId = "run-fabricated";
        String t0 = runId + ":t0:success#1";
        String t1 = runId + ":t1:success#1";
        String t2 = runId + ":t2:success#1";
        // the merge operator folds t0 and t1 and also names t2, which says something else entirely
        model.when("fabricating merge", r -> ScriptedMerges.isMerge(r) && r.text().contains(runId), Reply.text("""
                {"edits": [
                  {"op": "append_to_section", "target_section": "Rules", "content": "- Confirm the number of passengers before booking.",
                   "sources": ["%s", "%s", "%s"]},
                  {"op": "append_to_section", "target_section": "Payments", "content": "- Refund only to the original payment method.",
                   "sources": ["%s"]}]}""".formatted(t0, t1, t2, t2)));
        start(runId, config(AnalysisEngine.LLM, 5, 2), List.of("t0", "t1", "t2"));
        send(result(runId, "t0", "task:a", AnalystKind.SUCCESS, null, true, append("Rules", "- Confirm the passenger count before booking.")));
        send(result(runId, "t1", "task:b", AnalystKind.SUCCESS, null, true, append("Rules", "- Confirm how many passengers travel before you book.")));
        send(result(runId, "t2", "task:c", AnalystKind.SUCCESS, null, true, append("Payments", "- Refunds go back to the original payment method.")));
        awaitStatus(runId, "done", Duration.ofSeconds(90));
        assertThat(model.unplayed()).noneMatch(s -> s.startsWith("fabricating merge"));

        JsonNode tree = Json.read(get("/v1/runs/" + runId + "/merge-tree"), JsonNode.class);
        JsonNode node = tree.path("nodes").get(0);
        assertThat(node.path("engine").asText()).isEqualTo("llm");
        assertThat(node.path("rejectedAttributions")).hasSize(1);
        assertThat(node.path("rejectedAttributions").get(0).path("source").asText()).isEqualTo(t2);
        assertThat(node.path("rejectedAttributions").get(0).path("similarity").asDouble()).isLessThan(0.3);
        assertThat(node.path("outputs").get(0).path("support").asInt()).isEqualTo(2);
        assertThat(node.path("outputs").get(0).path("supportText").asText()).isEqualTo("2 tasks (2 trajectories)");

        JsonNode provenance = Json.read(get("/v1/runs/" + runId + "/provenance"), JsonNode.class);
        JsonNode confirm = null;
        for (JsonNode line : provenance) {
            if (line.path("text").asText().equals("- Confirm the number of passengers before booking.")) {
                confirm = line;
            }
        }
        assertThat(confirm).as("S* has the merged line").isNotNull();
        Set<String> ids = new TreeSet<>();
        confirm.path("trajectories").forEach(t -> ids.add(t.path("id").asText()));
        assertThat(ids).containsExactly("t0", "t1");
        assertThat(confirm.path("support").path("text").asText()).isEqualTo("2 tasks (2 trajectories)");
        assertThat(confirm.path("rejectedAttributions").get(0).path("source").asText()).isEqualTo(t2);
        String markdown = given().accept("text/markdown").get("/v1/runs/" + runId + "/provenance").then().statusCode(200).extract().asString();
        assertThat(markdown).contains("supported by 2 tasks (2 trajectories)").contains("## Rejected attributions (1)").contains(t2);
        given().get("/v1/runs/" + runId + "/changelog").then().body(containsString("## Rejected attributions (1)"))
                .body(containsString("supported by 2 tasks (2 trajectories)"));
    }

    @Test
    void fiveTrialsOfOneTaskCountAsOneTask() {
        String runId = "run-trials";
        List<String> ids = new ArrayList<>();
        start(runId, config(AnalysisEngine.LLM, 8, 2), List.of("a0", "a1", "a2", "a3", "a4", "b0", "c0"));
        for (int i = 0; i < 5; i++) {
            send(result(runId, "a" + i, "task:A", AnalystKind.SUCCESS, null, true, append("Rules", "- Confirm the passenger count.")));
        }
        send(result(runId, "b0", "task:B", AnalystKind.SUCCESS, null, true, append("Rules", "- Re-read the fare rules.")));
        send(result(runId, "c0", "task:C", AnalystKind.SUCCESS, null, true, append("Rules", "- Re-read the fare rules.")));
        awaitStatus(runId, "done", Duration.ofSeconds(90));
        SkillSnapshot sStar = Json.read(get("/v1/runs/" + runId + "/skill"), SkillSnapshot.class);
        // five trials of task A are one task < minSupport 2: the edit is a niche case, not SKILL.md body guidance
        assertThat(sStar.files().get("SKILL.md")).contains("- Re-read the fare rules.").doesNotContain("- Confirm the passenger count.");
        assertThat(sStar.files()).containsKey("references/niche-cases.md");
        assertThat(sStar.files().get("references/niche-cases.md")).contains("- Confirm the passenger count.");
        String changelog = get("/v1/runs/" + runId + "/changelog");
        assertThat(changelog).contains("7 trajectories of 3 tasks").contains("supported by 2 tasks (2 trajectories)")
                .contains("supported by 1 task (5 trajectories), fewer than 2 tasks: moved to references/niche-cases.md");
        JsonNode tree = Json.read(get("/v1/runs/" + runId + "/merge-tree"), JsonNode.class);
        assertThat(tree.path("nodes").get(0).path("outputs")).anySatisfy(o -> {
            assertThat(o.path("support").asInt()).isEqualTo(1);
            assertThat(o.path("trajectories").asInt()).isEqualTo(5);
        });
        // the merge operator was told tasks and trajectories
        ChatRequest merge = model.requests().stream().filter(r -> ScriptedMerges.isMerge(r) && r.text().contains(runId)).findFirst().orElseThrow();
        assertThat(merge.lastMessage()).contains("\"support_tasks\" : 1").contains("\"support_trajectories\" : 1");
    }

    @Test
    void theMergeOperatorSeesTheFileIndexAndTheReferenceFilesItsEditsTouch() {
        String runId = "run-files";
        start(runId, config(AnalysisEngine.LLM, 5, 1), List.of("f0", "f1"));
        Edit fee = new Edit(null, EditOp.APPEND_TO_SECTION, "references/fares.md", "Changes", null, "- Business tickets change for free.", "seen", null, null);
        send(result(runId, "f0", "task:f0", AnalystKind.SUCCESS, null, true, fee));
        send(result(runId, "f1", "task:f1", AnalystKind.SUCCESS, null, true, append("Rules", "- Ask for the travel date.")));
        awaitStatus(runId, "done", Duration.ofSeconds(90));
        ChatRequest merge = model.requests().stream().filter(r -> ScriptedMerges.isMerge(r) && r.text().contains(runId)).findFirst().orElseThrow();
        assertThat(merge.lastMessage())
                .contains("- SKILL.md (").contains("- references/fares.md (7 lines)")
                .contains("<file path=\"references/fares.md\">").contains("- A change fee of 75 dollars applies to economy tickets.")
                .contains("- Refunds go back to the original payment method.");
        SkillSnapshot sStar = Json.read(get("/v1/runs/" + runId + "/skill"), SkillSnapshot.class);
        assertThat(sStar.files().get("references/fares.md")).contains("- Business tickets change for free.");
        JsonNode tree = Json.read(get("/v1/runs/" + runId + "/merge-tree"), JsonNode.class);
        assertThat(tree.path("nodes").get(0).path("promptVersion").asText()).matches("[0-9a-f]{12}");
    }

    @Test
    void unverifiedErrorPatchesAreDroppedByDefaultAndCountedAndKeepMergesThem() {
        for (UnverifiedPolicy policy : new UnverifiedPolicy[]{null, UnverifiedPolicy.KEEP}) {
            String runId = "run-unverified-" + (policy == null ? "default" : policy.wire());
            start(runId, config(AnalysisEngine.LLM, 5, 1).withUnverified(policy), List.of("s0", "e1", "e2", "e3"));
            send(result(runId, "s0", "task:s0", AnalystKind.SUCCESS, null, true, append("Rules", "- Ask for the user id first.")));
            send(result(runId, "e1", "task:e1", AnalystKind.ERROR, true, true, append("Rules", "- Check the cabin before changing flights.")));
            send(result(runId, "e2", "task:e2", AnalystKind.ERROR, false, true, append("Rules", "- Offer a voucher when the user complains.")));
            send(result(runId, "e3", "task:e3", AnalystKind.ERROR, false, false, append("Rules", "- Read back the reservation id.")));
            JsonNode status = awaitStatus(runId, "done", Duration.ofSeconds(90));
            String skill = Json.read(get("/v1/runs/" + runId + "/skill"), SkillSnapshot.class).files().get("SKILL.md");
            String changelog = get("/v1/runs/" + runId + "/changelog");
            assertThat(skill).contains("- Ask for the user id first.").contains("- Check the cabin before changing flights.")
                    .contains("- Read back the reservation id.");
            if (policy == null) {
                // e2's task has ground truth and its analyst never got a corrected answer accepted: dropped; e3 had nothing to verify with
                assertThat(skill).doesNotContain("voucher");
                assertThat(status.path("pool").path("unverifiedDropped").asInt()).isEqualTo(1);
                assertThat(status.path("pool").path("unverifiedKept").asInt()).isEqualTo(1);
                assertThat(changelog).contains("## Unverified error patches (2)").contains("e2: dropped").contains("e3: kept");
            } else {
                assertThat(skill).contains("- Offer a voucher when the user complains.");
                assertThat(status.path("pool").path("unverifiedDropped").asInt()).isZero();
                assertThat(status.path("pool").path("unverifiedKept").asInt()).isEqualTo(2);
                assertThat(changelog).contains("policy keep");
            }
            // the provenance names the unverified trajectories behind a line
            JsonNode provenance = Json.read(get("/v1/runs/" + runId + "/provenance"), JsonNode.class);
            for (JsonNode line : provenance) {
                String text = line.path("text").asText();
                if (text.equals("- Read back the reservation id.")) {
                    assertThat(line.path("unverified").get(0).asText()).isEqualTo("e3");
                } else if (text.equals("- Check the cabin before changing flights.")) {
                    assertThat(line.has("unverified")).isFalse();
                }
            }
            List<RunEvent> started = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS,
                    r -> runId.equals(r.key()) && r.value().contains("MERGE_STARTED"), 1, Duration.ofSeconds(30)).stream()
                    .map(r -> Json.read(r.value(), RunEvent.class)).toList();
            assertThat(started.get(0).pool()).containsEntry("unverifiedDropped", policy == null ? 1 : 0);
        }
    }

    @Test
    void aRunWhoseResultsKeepArrivingIsMergedOnlyAfterTheIdleTimeoutWithAllResultsAndALateResultIsKept() throws Exception {
        String runId = "run-window";
        List<Trajectory> ts = MergerTest.corpus("w", 6);
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);
        // idle timeout 4 s: under the old fixed deadline (start + timeout) this run would merge after 4 s with 2-3 results
        start(runId, config(AnalysisEngine.MINING, 5, 2).withMergeWindow(4L, null), ts.stream().map(Trajectory::id).toList());
        Instant started = Instant.now();
        Instant last = null;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                InfraTestResource.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++) {
                Trajectory t = ts.get(i);
                PatchResult r = MergerTest.proposed(runId, t.id(), t.successful(), AnalystKind.MINING, miner.candidates(t, AnalystKind.MINING.patchId(runId, t.id())));
                producer.send(new ProducerRecord<>(Topics.SKILL_PATCHES, runId, Json.write(r))).get();
                last = Instant.now();
                Thread.sleep(1_500);
                given().get("/v1/runs/" + runId).then().body("status", equalTo("collecting"));
            }
        }
        assertThat(Duration.between(started, last)).isGreaterThan(Duration.ofSeconds(5));
        JsonNode done = awaitStatus(runId, "done", Duration.ofSeconds(60));
        assertThat(done.path("results").asInt()).isEqualTo(5);
        Instant lastResult = Instant.parse(done.path("mergeWindow").path("lastResultAt").asText());
        List<RunEvent> events = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS,
                r -> runId.equals(r.key()) && r.value().contains("MERGE_STARTED"), 1, Duration.ofSeconds(30)).stream()
                .map(r -> Json.read(r.value(), RunEvent.class)).toList();
        assertThat(Duration.between(lastResult, events.get(0).at())).as("merge started once no result had come for the idle timeout")
                .isGreaterThanOrEqualTo(Duration.ofMillis(3_950));
        assertThat(Json.read(get("/v1/runs/" + runId + "/merge-tree"), JsonNode.class).path("patches").asInt()).isEqualTo(5);
        given().get("/v1/runs/" + runId + "/changelog").then().body(containsString("w5: no result before the straggler timeout"));

        // the straggler arrives after the merge: stored, counted and shown as late, never silently lost
        Trajectory t = ts.get(5);
        send(MergerTest.proposed(runId, t.id(), t.successful(), AnalystKind.MINING, miner.candidates(t, AnalystKind.MINING.patchId(runId, t.id()))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().body("late", equalTo(1)));
        given().get("/v1/runs/" + runId).then().body("results", equalTo(5)).body("status", equalTo("done"));
        List<RunEvent> late = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS,
                r -> runId.equals(r.key()) && r.value().contains("RESULT_LATE"), 1, Duration.ofSeconds(30)).stream()
                .map(r -> Json.read(r.value(), RunEvent.class)).toList();
        assertThat(late).singleElement().satisfies(e -> {
            assertThat(e.pool()).containsEntry("late", 1);
            assertThat(e.message()).contains("w5");
        });
        assertThat(given().get("/q/metrics").then().extract().asString()).contains("t2s_merge_patches_late_total");
    }

    @Test
    void anAbsoluteCapMergesARunWhoseResultsWouldKeepItOpenAndAnEmptyPoolFailsWithTheReason() {
        String capped = "run-capped";
        List<Trajectory> ts = MergerTest.corpus("cap", 2);
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);
        start(capped, config(AnalysisEngine.MINING, 5, 2).withMergeWindow(600L, 3L), ts.stream().map(Trajectory::id).toList());
        Trajectory t = ts.get(0);
        send(MergerTest.proposed(capped, t.id(), t.successful(), AnalystKind.MINING, miner.candidates(t, AnalystKind.MINING.patchId(capped, t.id()))));
        JsonNode done = awaitStatus(capped, "done", Duration.ofSeconds(30));
        assertThat(done.path("mergeWindow").path("idleSeconds").asInt()).isEqualTo(600);
        assertThat(done.path("mergeWindow").path("maxDeadline").asText()).isNotBlank();

        String empty = "run-empty";
        start(empty, config(AnalysisEngine.MINING, 5, 2).withMergeWindow(2L, null), List.of("x0", "x1"));
        JsonNode failed = awaitStatus(empty, "failed", Duration.ofSeconds(30));
        assertThat(failed.path("message").asText()).contains("no result arrived within the merge window");
    }
}
