package dev.trace2skill.ingest;

import dev.trace2skill.core.data.SharedData;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@QuarkusTest
class TrajectoryIngestTest {

    static Path shared(String relative) {
        var p = SharedData.find(relative);
        assumeTrue(p.isPresent(), "shared data not found: " + relative);
        return p.get();
    }

    static Response importFile(Path file, String format, String dataset) throws Exception {
        return given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(Files.readAllBytes(file))
                .queryParam("format", format).queryParam("dataset", dataset)
                .post("/v1/trajectories/import");
    }

    @Test
    void allTauBenchTrajectoriesImportWithOutcomesToolsAndArguments() throws Exception {
        Response r = importFile(shared("trajectories/tau-bench/gpt-4o-airline.json"), "openai-messages", "tau-airline");
        r.then().statusCode(200).body("received", equalTo(200)).body("accepted", equalTo(200)).body("rejectedCount", equalTo(0));
        assertThat(count("tau-airline", "success")).isEqualTo(84);
        assertThat(count("tau-airline", "failure")).isEqualTo(116);
        given().get("/v1/trajectories/tau-airline-0-0").then().statusCode(200)
                .body("outcome.success", equalTo(false))
                .body("steps.action.tool", hasItem("get_user_details"))
                .body("steps.find { it.action.tool == 'get_user_details' }.action.arguments.user_id", equalTo("mia_li_3668"))
                .body("steps.find { it.action.tool == 'get_user_details' }.observation", containsString("Mia"));
        // the same file again is all duplicates: idempotent
        importFile(shared("trajectories/tau-bench/gpt-4o-airline.json"), "openai-messages", "tau-airline")
                .then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(200));
    }

    @Test
    void allFireActTrajectoriesImportWithExpectedAnswers() throws Exception {
        importFile(shared("trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json"), "react", "fireact")
                .then().statusCode(200).body("accepted", equalTo(465));
        assertThat(count("fireact", "success")).isEqualTo(200);
        // the expected answer is the admin token's to read
        given().auth().oauth2("test-admin-token").get("/v1/trajectories/fireact-6238").then().statusCode(200)
                .body("expectedAnswer", equalTo("seth macfarlane"))
                .body("steps[0].action.tool", equalTo("finish"))
                .body("steps[0].action.arguments.input", equalTo("Seth MacFarlane"));
    }

    /** Counts through the paginated listing, following cursors. */
    static int count(String dataset, String outcome) {
        int n = 0;
        String cursor = null;
        do {
            var req = given().queryParam("dataset", dataset).queryParam("outcome", outcome).queryParam("limit", 50);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            Response page = req.get("/v1/trajectories");
            page.then().statusCode(200);
            n += page.jsonPath().getList("items").size();
            cursor = page.jsonPath().getString("nextCursor");
        } while (cursor != null);
        return n;
    }

    @Test
    void pushingIsIdempotentById() {
        String t = "{\"id\":\"idem-1\",\"query\":\"q\",\"outcome\":{\"success\":true}}";
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(t).queryParam("dataset", "idem")
                .post("/v1/trajectories").then().statusCode(201).body("accepted", equalTo(1));
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(t).queryParam("dataset", "idem")
                .post("/v1/trajectories").then().statusCode(200).body("duplicates", equalTo(1)).body("accepted", equalTo(0));
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON).body(t.replace("\"q\"", "\"other\"")).queryParam("dataset", "idem")
                .post("/v1/trajectories").then().statusCode(409)
                .contentType("application/problem+json")
                .body("errors[0].id", equalTo("idem-1"))
                .body("errors[0].message", containsString("idem-1"));
    }

    @Test
    void ndjsonStreamsAndReportsPerRecord() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            body.append("{\"id\":\"nd-").append(i).append("\",\"query\":\"q").append(i).append("\",\"outcome\":{\"success\":").append(i % 2 == 0).append("}}\n");
        }
        body.append("{\"id\":\"nd-bad\",\"query\":\"q\"}\n");
        given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").body(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).queryParam("dataset", "nd")
                .post("/v1/trajectories").then().statusCode(200)
                .body("received", equalTo(2001)).body("accepted", equalTo(2000)).body("rejectedCount", equalTo(1))
                .body("rejected[0].index", equalTo(2000)).body("rejected[0].status", equalTo(422))
                .body("rejected[0].errors[0].field", equalTo("outcome"));
        assertThat(count("nd", "success")).isEqualTo(1000);
    }

    @Test
    void schemaAndOpenApiArePublished() {
        given().get("/v1/schemas/trajectory").then().statusCode(200).body(containsString("\"title\": \"Trajectory\""));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/trajectories/import"));
    }

    @Test
    void healthAndPrometheusMetrics() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.name", hasItem("Kafka connection health check"));
        given().contentType(ContentType.JSON).body("{\"id\":\"m-1\",\"query\":\"q\",\"outcome\":{\"success\":true}}")
                .auth().oauth2(IngestInfra.TOKEN).queryParam("dataset", "metrics").post("/v1/trajectories").then().statusCode(201);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("t2s_ingest_trajectories_total{format=\"trajectory\",reason=\"none\",result=\"accepted\"}")
                .contains("t2s_ingest_bytes_total").contains("http_server_requests_seconds");
    }

    @Test
    void listingValidatesItsParameters() {
        given().queryParam("limit", 0).get("/v1/trajectories").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().queryParam("outcome", "maybe").get("/v1/trajectories").then().statusCode(400).body("errors[0].field", equalTo("outcome"));
        given().queryParam("cursor", "!!").get("/v1/trajectories").then().statusCode(400).body("errors[0].field", equalTo("cursor"));
        given().get("/v1/trajectories/does-not-exist").then().statusCode(404).contentType("application/problem+json");
        Map<String, Object> page = given().queryParam("dataset", "none-such").get("/v1/trajectories").then().statusCode(200).extract().jsonPath().getMap("");
        assertThat((List<?>) page.get("items")).isEmpty();
    }
}
