package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * What the evaluator's experiments need from trace-ingest: runs on exactly one experiment's trajectories of one skill,
 * a run key that makes a repeated request find the first run, and drafts of a new skill before any trajectory exists.
 */
@QuarkusTest
class ExperimentSupportTest {
    static final String SKILL = "{\"name\":\"desk\",\"files\":{\"SKILL.md\":\"---\\nname: desk\\ndescription: Answers desk questions.\\n---\\n# Desk\\n\\n## Rules\\n- Be brief.\\n\"}}";

    static String trajectory(String id, String experiment, String skillRef, boolean success) {
        return "{\"id\":\"" + id + "\",\"taskId\":\"task-" + id + "\",\"query\":\"question " + id + "\",\"outcome\":{\"success\":" + success + "},"
                + (skillRef == null ? "" : "\"skillRef\":\"" + skillRef + "\",")
                + "\"metadata\":{\"experimentId\":\"" + experiment + "\"},"
                + "\"steps\":[{\"action\":{\"tool\":\"search\",\"arguments\":{}},\"observation\":\"ok\"}]}\n";
    }

    @Test
    void aRunSelectsOneExperimentsTrajectoriesOfOneSkillAndItsRequestIdFindsTheSameRun() {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(SKILL).post("/v1/skills").then()
                .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            nd.append(trajectory("xa-s-" + i, "ex-a", "desk@1", i % 2 == 0));
        }
        for (int i = 0; i < 3; i++) {
            nd.append(trajectory("xa-n-" + i, "ex-a", null, false));
        }
        for (int i = 0; i < 2; i++) {
            nd.append(trajectory("xb-s-" + i, "ex-b", "desk@1", true));
        }
        // all in one dataset: only the experiment and the skill reference tell them apart
        given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").body(nd.toString().getBytes(StandardCharsets.UTF_8))
                .queryParam("dataset", "mixed-conditions").post("/v1/trajectories").then().statusCode(200).body("accepted", equalTo(9));

        given().queryParam("experiment", "ex-a").queryParam("skillRef", "desk@1").get("/v1/trajectories").then().statusCode(200)
                .body("items.size()", equalTo(4)).body("items.experimentId", org.hamcrest.Matchers.everyItem(equalTo("ex-a")))
                .body("items.skillRef", org.hamcrest.Matchers.everyItem(equalTo("desk@1")));
        given().queryParam("experiment", "ex-a").queryParam("skillRef", "none").get("/v1/trajectories").then().statusCode(200)
                .body("items.size()", equalTo(3));

        String body = "{\"skill\":\"desk@1\",\"trajectories\":{\"dataset\":\"mixed-conditions\",\"experiment\":\"ex-a\",\"skillRef\":\"desk@1\"},"
                + "\"analysts\":\"combined\",\"requestId\":\"ex-a-r1\"}";
        Response first = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(body).post("/v1/runs");
        first.then().statusCode(202).body("counts.jobsPublished", equalTo(4));
        String runId = first.path("id");
        List<ConsumerRecord<String, String>> jobs = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.ANALYSIS_JOBS,
                r -> r.key().startsWith(runId + ":"), 4, Duration.ofSeconds(30));
        assertThat(jobs).hasSize(4);
        assertThat(jobs).allSatisfy(r -> assertThat(Json.read(r.value(), AnalysisJob.class).trajectory().id()).startsWith("xa-s-"));

        // the same key again (a client that restarted after sending): the same run, nothing published again
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(body).post("/v1/runs").then().statusCode(200)
                .body("id", equalTo(runId));
        assertThat(TopicReader.read(InfraTestResource.bootstrapServers(), Topics.ANALYSIS_JOBS, r -> r.key().startsWith(runId + ":"), 5,
                Duration.ofSeconds(2))).hasSize(4);

        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"desk@1\",\"trajectories\":{\"experiment\":\"ex-a\",\"skillRef\":\"desk-1\"}}").post("/v1/runs").then()
                .statusCode(400).body("errors[0].field", equalTo("trajectories.skillRef"));
    }

    @Test
    void aDraftAskedForOnItsOwnBecomesTheNewSkillsFirstVersion() {
        Response started = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"domain\":\"refunds for an online shop\",\"engine\":\"mining\",\"samples\":[\"Refund order 1?\"],\"requestId\":\"ex-d-s0\"}")
                .post("/v1/skills/refund-fresh/drafts");
        started.then().statusCode(202).body("status", equalTo("drafting")).body("name", equalTo("refund-fresh"));
        String id = started.path("id");

        ConsumerRecord<String, String> asked = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.DRAFT_REQUESTS,
                r -> r.key().equals(id), 1, Duration.ofSeconds(30)).get(0);
        DraftRequest request = Json.read(asked.value(), DraftRequest.class);
        assertThat(request.skillName()).isEqualTo("refund-fresh");
        assertThat(request.domain()).isEqualTo("refunds for an online shop");
        assertThat(request.sampleQueries()).containsExactly("Refund order 1?");

        // the same key again: the same draft
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body("{\"domain\":\"anything\",\"requestId\":\"ex-d-s0\"}")
                .post("/v1/skills/refund-fresh/drafts").then().statusCode(200).body("id", equalTo(id));

        // the worker's answer on skill-drafts: registered as version 1
        SkillBundle draft = SkillBundle.ofText("refund-fresh", Map.of("SKILL.md",
                "---\nname: refund-fresh\ndescription: Decides refunds for an online shop.\n---\n# Refunds\n\n## Rules\n- Check the order first.\n"));
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.SKILL_DRAFTS, id,
                Json.write(new SkillDrafted(id, SkillSnapshot.of(draft, 0), null, new TokenUsage(120, 30))));
        await().atMost(Duration.ofSeconds(30)).until(() -> "done".equals(given().get("/v1/skills/refund-fresh/drafts/" + id).path("status")));
        given().get("/v1/skills/refund-fresh/drafts/" + id).then().body("skill", equalTo("refund-fresh@1")).body("tokens.total", equalTo(150));
        given().get("/v1/skills/refund-fresh/versions").then().statusCode(200).body("size()", equalTo(1)).body("[0].version", equalTo(1))
                .body("[0].source", equalTo("draft:" + id));

        // a draft is a new skill's first version; bad requests name the field
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body("{\"domain\":\"refunds\"}")
                .post("/v1/skills/refund-fresh/drafts").then().statusCode(409).body("errors[0].field", equalTo("name"));
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body("{\"engine\":\"mining\"}")
                .post("/v1/skills/other-fresh/drafts").then().statusCode(400).body("errors[0].field", equalTo("domain"));
        given().get("/v1/skills/refund-fresh/drafts/draft-000000000000").then().statusCode(404);
    }
}
