package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Issue 17, trace-ingest's part of "size is bounded everywhere" and "no run is stuck": the issue's oversized records
 * are 413s naming the field while the rest of the upload is stored; a run carries large trajectories by reference and
 * is bounded by what its announcement can carry; a run trace-ingest fails is announced to the merger, and S* of a run
 * that failed here is not registered. Every case ends with the service still serving.
 */
@QuarkusTest
class LoadLimitsTest {
    static final String SKILL = "{\"name\":\"limits\",\"files\":{\"SKILL.md\":\"---\\nname: limits\\ndescription: Limits.\\n---\\n# Limits\\n\\n## Rules\\n- Be brief.\\n\"}}";

    static String record(String id, int steps, String toolPrefix) {
        StringBuilder sb = new StringBuilder().append("{\"id\":\"").append(id).append("\",\"query\":\"q ").append(id)
                .append("\",\"outcome\":{\"success\":true},\"steps\":[");
        for (int i = 0; i < steps; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"action\":{\"tool\":\"").append(toolPrefix == null ? "search" : toolPrefix + i)
                    .append("\",\"arguments\":{}}}");
        }
        return sb.append("]}").toString();
    }

    static io.restassured.response.Response push(String dataset, String ndjson) {
        return given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").queryParam("dataset", dataset)
                .body(ndjson.getBytes(StandardCharsets.UTF_8)).post("/v1/trajectories");
    }

    static void serving() {
        push("limits-alive", record("alive-" + System.nanoTime(), 1, null) + "\n").then().statusCode(201);
    }

    @Test
    void recordsOverTheSizeLimitsAre413sNamingTheFieldAndTheRestIsStored() {
        // more distinct tool names than allowed (the issue's trajectory had 60,000), between two valid records
        String body = record("lim-ok-1", 2, null) + "\n" + record("lim-tools", 1_001, "tool_") + "\n" + record("lim-ok-2", 2, null) + "\n";
        push("limits", body).then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejectedCount", equalTo(1))
                .body("rejected[0].index", equalTo(1)).body("rejected[0].status", equalTo(413))
                .body("rejected[0].errors[0].field", equalTo("steps[1000].action.tool"))
                .body("rejected[0].errors[0].message", containsString("more than 1000 distinct tool names"));
        // alone, it is a 413 problem
        push("limits", record("lim-tools", 1_001, "tool_") + "\n").then().statusCode(413)
                .contentType("application/problem+json").body("errors[0].field", equalTo("steps[1000].action.tool"));
        // 10,001 steps
        push("limits", record("lim-steps", 10_001, null) + "\n").then().statusCode(413)
                .body("errors[0].field", equalTo("steps")).body("errors[0].message", containsString("the limit is 10000"));
        serving();
    }

    @Test
    void theIssuesFiftyMegabyteRecordOfSmallStepsIsA413AndTheNextRecordIsStored() throws Exception {
        // one record of 2.5 million small steps (50 MB): refused while it streams in (it is never parsed), not a 500
        StringBuilder sb = new StringBuilder(50_000_200).append("{\"id\":\"lim-huge\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[");
        for (int i = 0; i < 2_500_000; i++) {
            sb.append(i == 0 ? "{\"observation\":\"x\"}" : ",{\"observation\":\"x\"}");
        }
        sb.append("]}\n").append(record("lim-after-huge", 1, null)).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        sb.setLength(0);
        // sent with the JDK's client (RestAssured spends minutes on a 50 MB body)
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                                + "/v1/trajectories?dataset=limits"))
                        .header("Authorization", "Bearer " + IngestInfra.TOKEN).header("Content-Type", "application/x-ndjson")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var report = Json.mapper().readTree(r.body());
        assertThat(report.path("accepted").asInt()).isEqualTo(1);
        assertThat(report.path("rejected").path(0).path("status").asInt()).isEqualTo(413);
        assertThat(report.path("rejected").path(0).path("errors").path(0).path("message").asText()).contains("record too large");
        given().get("/v1/trajectories/lim-after-huge").then().statusCode(200);
        serving();
    }

    @Test
    void largeTrajectoriesTravelByReferenceAndARunIsBoundedByWhatItsAnnouncementCarries() {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(SKILL).post("/v1/skills")
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        // 3 small (inline) and 2 large (> 4 KiB in tests: by reference)
        String body = record("ref-s1", 1, null) + "\n" + record("ref-s2", 1, null) + "\n" + record("ref-s3", 1, null) + "\n"
                + record("ref-l1", 200, null) + "\n" + record("ref-l2", 300, null) + "\n";
        push("by-ref", body).then().statusCode(200).body("accepted", equalTo(5));
        String runId = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"limits@1\",\"trajectories\":{\"dataset\":\"by-ref\",\"limit\":100000},\"engine\":\"mining\"}")
                .post("/v1/runs").then().statusCode(202).body("status", equalTo("analysing")).body("counts.jobsPublished", equalTo(5))
                .extract().path("id");
        List<ConsumerRecord<String, String>> records = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.ANALYSIS_JOBS,
                r -> r.key().startsWith(runId + ":"), 5, Duration.ofSeconds(30));
        assertThat(records).hasSize(5);
        for (ConsumerRecord<String, String> r : records) {
            AnalysisJob job = Json.read(r.value(), AnalysisJob.class);
            boolean large = job.trajectoryId().startsWith("ref-l");
            assertThat(job.byReference()).as(job.trajectoryId()).isEqualTo(large);
            if (large) {
                assertThat(job.trajectory()).isNull();
                assertThat(job.trajectoryRef().bytes()).isGreaterThan(4096);
                assertThat(job.trajectoryRef().success()).isTrue();
                assertThat(r.value().length()).as("a job by reference is small").isLessThan(2_000);
            } else {
                assertThat(job.trajectory().steps()).hasSize(1);
            }
            assertThat(job.patchId()).isEqualTo(job.analyst().patchId(runId, job.trajectoryId()));
        }

        // 2,000 trajectories: their job ids alone pass the 64 KiB announcement the tests allow: 422 naming the limit
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            many.append(record("many-" + String.format("%04d", i), 1, null)).append('\n');
        }
        push("many", many.toString()).then().statusCode(200).body("accepted", equalTo(2_000));
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"limits@1\",\"trajectories\":{\"dataset\":\"many\",\"limit\":100000},\"engine\":\"mining\"}")
                .post("/v1/runs").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("trajectories.limit"))
                .body("errors[0].message", containsString("select at most about"));
        // within what a run carries, the same dataset runs
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"limits@1\",\"trajectories\":{\"dataset\":\"many\",\"limit\":600},\"engine\":\"mining\"}")
                .post("/v1/runs").then().statusCode(202).body("counts.jobsPublished", equalTo(600));
        serving();
    }

    @Test
    void aRunFailedHereIsAnnouncedToTheMergerAndItsLateSStarIsNotRegistered() {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(SKILL).post("/v1/skills")
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        push("abort", record("abort-1", 1, null) + "\n").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        String runId = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"limits@1\",\"trajectories\":{\"ids\":[\"abort-1\"]},\"engine\":\"mining\"}")
                .post("/v1/runs").then().statusCode(202).extract().path("id");
        String bootstrap = InfraTestResource.bootstrapServers();
        // an S* that breaks the Agent Skills rules fails the run here: the merger is told
        SkillBundle broken = SkillBundle.ofText("limits", Map.of("SKILL.md", "no front matter at all\n"));
        TopicReader.send(bootstrap, Topics.SKILLS_EVOLVED, "limits", Json.write(new SkillEvolved(runId, null, SkillSnapshot.of(broken, 0), 1, "1 edit", Instant.now())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then()
                .body("status", equalTo("failed")).body("message", containsString("breaks the Agent Skills rules")));
        List<ConsumerRecord<String, String>> aborts = TopicReader.read(bootstrap, Topics.RUN_EVENTS,
                r -> runId.equals(r.key()) && r.value().contains("RUN_ABORTED"), 1, Duration.ofSeconds(30));
        assertThat(aborts).hasSize(1);
        RunEvent abort = Json.read(aborts.get(0).value(), RunEvent.class);
        assertThat(abort.message()).contains("breaks the Agent Skills rules");

        // a valid S* for the failed run (the merger had merged it before hearing) is not registered, the run stays
        // failed with its first reason, and the merger is told again
        int versionsBefore = given().get("/v1/skills/limits/versions").then().extract().path("size()");
        SkillBundle valid = SkillBundle.ofText("limits", Map.of("SKILL.md",
                "---\nname: limits\ndescription: Limits.\n---\n# Limits\n\n## Rules\n- Be brief.\n- Be kind.\n"));
        TopicReader.send(bootstrap, Topics.SKILLS_EVOLVED, "limits", Json.write(new SkillEvolved(runId, null, SkillSnapshot.of(valid, 0), 1, "1 edit", Instant.now())));
        TopicReader.send(bootstrap, Topics.RUN_EVENTS, runId, Json.write(new RunEvent(runId, RunEvent.Type.RUN_FAILED, null, null, null, null,
                null, "no result arrived within the merge window", Instant.now())));
        assertThat(TopicReader.read(bootstrap, Topics.RUN_EVENTS, r -> runId.equals(r.key()) && r.value().contains("RUN_ABORTED"), 2,
                Duration.ofSeconds(30))).hasSize(2);
        given().get("/v1/runs/" + runId).then().body("status", equalTo("failed"))
                .body("message", containsString("breaks the Agent Skills rules")).body("evolvedSkill", org.hamcrest.Matchers.nullValue());
        given().get("/v1/skills/limits/versions").then().body("size()", equalTo(versionsBefore));
        serving();
    }
}
