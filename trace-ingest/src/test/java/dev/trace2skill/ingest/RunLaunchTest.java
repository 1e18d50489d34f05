package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class RunLaunchTest {
    static final String SKILL = "{\"name\":\"booking\",\"files\":{\"SKILL.md\":\"---\\nname: booking\\ndescription: Books flights.\\n---\\n# Booking\\n\\n## Rules\\n- Verify the user.\\n\"}}";

    static boolean loaded;

    @org.junit.jupiter.api.BeforeEach
    void data() {
        if (loaded) {
            return;
        }
        loaded = true;
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(SKILL).post("/v1/skills").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            nd.append("{\"id\":\"run-t").append(i).append("\",\"query\":\"book ").append(i).append("\",\"outcome\":{\"success\":")
                    .append(i % 3 == 0).append("},\"steps\":[{\"action\":{\"tool\":\"search\",\"arguments\":{}},\"observation\":\"ok\"}]}\n");
        }
        given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").body(nd.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).queryParam("dataset", "runs")
                .post("/v1/trajectories").then().statusCode(200);
    }

    @Test
    void aRunPutsExactlyOneJobPerSelectedTrajectoryOnTheRealTopic() {
        String runId = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"booking@1\",\"trajectories\":{\"dataset\":\"runs\",\"limit\":25},\"analysts\":\"combined\",\"mergeBranching\":4}")
                .post("/v1/runs").then().statusCode(202).body("counts.jobsPublished", equalTo(25)).body("status", equalTo("analysing"))
                .extract().path("id");
        String bootstrap = InfraTestResource.bootstrapServers();
        List<ConsumerRecord<String, String>> jobs = TopicReader.read(bootstrap, Topics.ANALYSIS_JOBS,
                r -> r.key().startsWith(runId + ":"), 25, Duration.ofSeconds(30));
        assertThat(jobs).hasSize(25);
        // nothing more arrives for this run
        assertThat(TopicReader.read(bootstrap, Topics.ANALYSIS_JOBS, r -> r.key().startsWith(runId + ":"), 26, Duration.ofSeconds(2))).hasSize(25);
        AnalysisJob job = Json.read(jobs.get(0).value(), AnalysisJob.class);
        assertThat(job.runId()).isEqualTo(runId);
        assertThat(job.jobId()).isEqualTo(jobs.get(0).key());
        assertThat(job.skill().ref()).isEqualTo("booking@1");
        assertThat(job.skill().bundle().text("SKILL.md")).contains("Verify the user");
        assertThat(job.trajectory().steps()).hasSize(1);
        assertThat(job.config().mergeBranching()).isEqualTo(4);
        assertThat(jobs.stream().map(r -> Json.read(r.value(), AnalysisJob.class)).filter(j -> j.analyst() == AnalystKind.SUCCESS).count())
                .isEqualTo(jobs.stream().map(r -> Json.read(r.value(), AnalysisJob.class)).filter(j -> j.trajectory().successful()).count());
        // error analyses (several model calls each) are published before success analyses (one call): in every partition,
        // which a worker takes in order, no error job follows a success job
        java.util.Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new java.util.TreeMap<>();
        jobs.forEach(r -> byPartition.computeIfAbsent(r.partition(), p -> new java.util.ArrayList<>()).add(r));
        for (List<ConsumerRecord<String, String>> partition : byPartition.values()) {
            partition.sort(java.util.Comparator.comparingLong(ConsumerRecord::offset));
            boolean successSeen = false;
            for (ConsumerRecord<String, String> r : partition) {
                AnalystKind kind = Json.read(r.value(), AnalysisJob.class).analyst();
                assertThat(successSeen && kind == AnalystKind.ERROR).as("an error job after a success job in partition " + r.partition()).isFalse();
                successSeen |= kind == AnalystKind.SUCCESS;
            }
        }
        RunStarted started = Json.read(TopicReader.read(bootstrap, Topics.RUNS, r -> r.key().equals(runId), 1, Duration.ofSeconds(30))
                .get(0).value(), RunStarted.class);
        assertThat(started.jobIds()).hasSize(25).containsExactlyInAnyOrderElementsOf(jobs.stream().map(ConsumerRecord::key).toList());
    }

    @Test
    void errorAnalystsTakeOnlyFailures() {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"booking\",\"trajectories\":{\"dataset\":\"runs\"},\"analysts\":\"error\"}")
                .post("/v1/runs").then().statusCode(202).body("counts.jobsPublished", equalTo(20)).body("skill", org.hamcrest.Matchers.matchesPattern("booking@\\d+"));
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"booking\",\"trajectories\":{\"dataset\":\"runs\",\"outcome\":\"success\"},\"analysts\":\"error\"}")
                .post("/v1/runs").then().statusCode(422).body("errors[0].field", equalTo("trajectories"));
    }

    @Test
    void progressComesFromPatchResultsCountedOnceAndTheEvolvedSkillBecomesTheNextVersion() {
        String runId = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"booking@1\",\"trajectories\":{\"ids\":[\"run-t1\",\"run-t2\"]},\"engine\":\"mining\"}")
                .post("/v1/runs").then().statusCode(202).extract().path("id");
        String bootstrap = InfraTestResource.bootstrapServers();
        PatchResult result = new PatchResult(runId, runId + ":run-t1", AnalystKind.MINING.patchId(runId, "run-t1"), "run-t1", false,
                AnalystKind.MINING, PatchResult.Status.PROPOSED, null, new dev.trace2skill.core.patch.Patch("p", List.of()), null,
                new TokenUsage(100, 20), 0, 0, 5, "w");
        TopicReader.send(bootstrap, Topics.SKILL_PATCHES, runId, Json.write(result));
        TopicReader.send(bootstrap, Topics.SKILL_PATCHES, runId, Json.write(result));
        TopicReader.send(bootstrap, Topics.SKILL_PATCHES, runId, "{this is not a patch result");
        PatchResult failed = new PatchResult(runId, runId + ":run-t2", AnalystKind.MINING.patchId(runId, "run-t2"), "run-t2", false,
                AnalystKind.MINING, PatchResult.Status.FAILED, null, null, "model down", new TokenUsage(10, 0), 1, 0, 5, "w");
        TopicReader.send(bootstrap, Topics.SKILL_PATCHES, runId, Json.write(failed));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then()
                .body("counts.analysesDone", equalTo(1)).body("counts.analysesFailed", equalTo(1))
                .body("counts.patches", equalTo(1)).body("tokens.total", equalTo(130)));
        // the poison message went to the dead-letter topic with its reason, and the consumer kept going
        var dead = TopicReader.read(bootstrap, "trace-ingest-dlq", r -> r.value().equals("{this is not a patch result"), 1, Duration.ofSeconds(30));
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("dead-letter-reason").value())).contains("invalid JSON");

        TopicReader.send(bootstrap, Topics.RUN_EVENTS, runId, Json.write(new RunEvent(runId, RunEvent.Type.MERGE_PROGRESS, 1, 2, 1, 3, null, null, Instant.now())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then()
                .body("status", equalTo("merging")).body("merge.level", equalTo(1)).body("merge.levels", equalTo(2)));

        SkillBundle s1 = SkillBundle.ofText("booking", Map.of("SKILL.md",
                "---\nname: booking\ndescription: Books flights.\n---\n# Booking\n\n## Rules\n- Verify the user.\n- Confirm the dates.\n"));
        SkillEvolved evolved = new SkillEvolved(runId, null, SkillSnapshot.of(s1, 0), 1, "1 edit", Instant.now());
        TopicReader.send(bootstrap, Topics.SKILLS_EVOLVED, "booking", Json.write(evolved));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then()
                .body("status", equalTo("done")).body("evolvedSkill", equalTo("booking@2")));
        given().get("/v1/skills/booking/versions/2").then().statusCode(200).body("source", equalTo("evolved:" + runId));
    }

    @Test
    void theUnverifiedPolicyAndTheMergeWindowTravelWithTheRunAndThePoolCountsShowInItsStatus() {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"booking@1\",\"trajectories\":{\"dataset\":\"runs\"},\"unverified\":\"sometimes\","
                        + "\"mergeWindow\":{\"idleSeconds\":0,\"maxSeconds\":3600}}")
                .post("/v1/runs").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder("unverified", "mergeWindow.idleSeconds"));

        String runId = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"booking@1\",\"trajectories\":{\"ids\":[\"run-t1\"]},\"engine\":\"mining\","
                        + "\"unverified\":\"downweight\",\"mergeWindow\":{\"idleSeconds\":120,\"maxSeconds\":3600}}")
                .post("/v1/runs").then().statusCode(202).extract().path("id");
        String bootstrap = InfraTestResource.bootstrapServers();
        RunStarted started = Json.read(TopicReader.read(bootstrap, Topics.RUNS, r -> r.key().equals(runId), 1, Duration.ofSeconds(30))
                .get(0).value(), RunStarted.class);
        assertThat(started.config().unverified()).isEqualTo(dev.trace2skill.core.pipeline.UnverifiedPolicy.DOWNWEIGHT);
        assertThat(started.config().mergeIdleSeconds()).isEqualTo(120L);
        assertThat(started.config().mergeMaxSeconds()).isEqualTo(3600L);

        TopicReader.send(bootstrap, Topics.RUN_EVENTS, runId, Json.write(new RunEvent(runId, RunEvent.Type.MERGE_STARTED, 0, 1, 0, 1, null,
                "1 unverified error patch(es)", Instant.now(), Map.of("unverifiedDropped", 0, "unverifiedKept", 0, "unverifiedDownweighted", 1))));
        TopicReader.send(bootstrap, Topics.RUN_EVENTS, runId, Json.write(new RunEvent(runId, RunEvent.Type.RESULT_LATE, null, null, null, null, null,
                "result for run-t9 arrived after the merge started", Instant.now(), Map.of("late", 1))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then()
                .body("status", equalTo("merging")).body("pool.late", equalTo(1)).body("pool.unverifiedDownweighted", equalTo(1))
                .body("pool.unverifiedDropped", equalTo(0)));
    }
}
