package dev.trace2skill.evaluator;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Issue 17's inputs against the evaluator: NUL in fields and path ids, recursive front matter in inline skills, a model
 * server that is not configured, a 50 MB body, a body without Content-Type, and the expected answers of tasks, which
 * only the admin token sees. Each is a problem naming the field (or a clean 413/415), and the evaluator keeps serving.
 */
@QuarkusTest
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_evaluator"))
@QuarkusTestResource(ModelServerResource.class)
class EvaluatorHardeningTest {
    static final String SKILL = "---\nname: calc\ndescription: Adds numbers.\n---\n# Calc\n";

    @TestHTTPResource("/")
    URI base;

    static ExtractableResponse<Response> post(String body) {
        return given().header("Authorization", EvaluatorTest.TOKEN).contentType(ContentType.JSON).body(body).post("/v1/evaluations")
                .then().extract();
    }

    static void problem(ExtractableResponse<Response> r, int status, String field) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getList("errors.field", String.class)).as(r.asString()).contains(field);
    }

    @AfterEach
    void stillServing() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/v1/evaluations?limit=1").then().statusCode(200);
    }

    @Test
    void nulInFieldsAndPathIdsIsA422NamingTheField() {
        problem(post("{\"taskset\": \"gsm8k\", \"models\": [{\"model\": \"m\\u0000\"}]}"), 422, "models[0].model");
        problem(post("{\"taskset\": \"inline\", \"tasks\": [{\"id\": \"t\\u0000\", \"question\": \"q\", \"expected\": \"1\"}]}"), 422, "tasks[0].id");
        problem(post("{\"taskset\": \"gsm8k\\ud800\"}"), 422, "taskset");
        problem(given().urlEncodingEnabled(false).get("/v1/evaluations/ev-%00").then().extract(), 422, "id");
        problem(given().urlEncodingEnabled(false).get("/v1/evaluations/ev-1/episodes?status=%00").then().extract(), 422, "status");
        problem(given().header("Authorization", EvaluatorTest.TOKEN).contentType(ContentType.JSON)
                .body("{\"episodeId\": \"e\", \"answer\": \"a\\u0000\"}").urlEncodingEnabled(false)
                .post("/v1/evaluations/ev-x/results").then().extract(), 422, "answer");
    }

    @Test
    void recursiveFrontMatterInAnInlineSkillIsA422() {
        String skill = "---\\nname: loop\\ndescription: d\\nmetadata: &a [*a]\\n---\\n# Loop\\n";
        var r = post("{\"taskset\": \"gsm8k\", \"skills\": [{\"name\": \"loop\", \"files\": {\"SKILL.md\": \"" + skill + "\"}}]}");
        problem(r, 422, "skills[0].files.SKILL.md");
        assertThat(r.asString()).contains("front-matter.invalid").contains("aliases");
        String deep = "---\\nname: deep\\ndescription: d\\nmetadata: " + "{a: ".repeat(2000) + "1" + "}".repeat(2000) + "\\n---\\n# D\\n";
        problem(post("{\"taskset\": \"gsm8k\", \"skills\": [{\"name\": \"deep\", \"files\": {\"SKILL.md\": \"" + deep + "\"}}]}"),
                422, "skills[0].files.SKILL.md");
    }

    @Test
    void onlyConfiguredModelServersMayBeNamed() {
        var r = post("{\"taskset\": \"gsm8k\", \"models\": [{\"model\": \"a\", \"baseUrl\": \"https://collector.attacker.example/v1\"}]}");
        problem(r, 422, "models[0].baseUrl");
        assertThat(r.asString()).contains("t2s.models.allowed-base-urls");
    }

    /** The request line and headers of a 50 MB POST, then the answer: it comes before the body is sent. */
    @Test
    void a50MbBodyIsA413ProblemNotAnEmptyAnswer() throws Exception {
        long size = 50L * 1024 * 1024;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/evaluations HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: " + EvaluatorTest.TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n{\"taskset\": \"").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).containsIgnoringCase("content-type: application/problem+json");
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(Json.read(body, Map.class)).containsEntry("status", 413).containsEntry("title", "Request too large");
            assertThat(body).contains("52428800 bytes");
        }
    }

    @Test
    void aBodyWithoutContentTypeIs415() throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(base.resolve("v1/evaluations"))
                .header("Authorization", EvaluatorTest.TOKEN).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"taskset\": \"gsm8k\"}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(415);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    void expectedAnswersAreForTheAdminTokenOnly() {
        List<Map<String, Object>> tasks = List.of(Map.of("id", "secret-1", "question", "What is 2+2?", "expected", "4", "checker", "numeric"));
        String id = EvaluatorTest.start(Map.of("skills", List.of(Map.of("name", "calc", "files", Map.of("SKILL.md", SKILL))),
                "includeNoSkill", false, "taskset", "inline", "tasks", tasks, "runner", "external", "models", List.of(Map.of("model", "m"))));
        for (var reader : List.of(given(), given().header("Authorization", EvaluatorTest.TOKEN), given().auth().oauth2("test-read-token"))) {
            List<Map<String, Object>> rows = reader.get("/v1/evaluations/" + id + "/episodes").then().statusCode(200).extract().jsonPath().getList("$");
            assertThat(rows).singleElement().satisfies(row -> {
                assertThat(row).doesNotContainKey("expected").containsEntry("expectedHidden", true).containsEntry("taskId", "secret-1");
                assertThat(row.toString()).doesNotContain("=4");
            });
            String episode = (String) rows.get(0).get("episodeId");
            given().get("/v1/evaluations/" + id + "/episodes/" + episode).then().statusCode(200)
                    .body("expected", org.hamcrest.Matchers.nullValue());
        }
        given().auth().oauth2(EvaluatorTest.ADMIN).get("/v1/evaluations/" + id + "/episodes").then().statusCode(200)
                .body("[0].expected", equalTo("4"));
        given().header("Authorization", EvaluatorTest.TOKEN).post("/v1/evaluations/" + id + "/cancel").then().statusCode(200);
    }
}
