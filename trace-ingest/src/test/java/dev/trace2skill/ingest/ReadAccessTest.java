package dev.trace2skill.ingest;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Tokens and roles. The tests of this module read with {@code %test.t2s.api.public-reads=true}; that reads without a
 * token are refused as the services ship (no {@code T2S_PUBLIC_READS}) is checked on the four running services by the
 * e2e module, so no second Quarkus start is needed here. A token that is given must be valid, even where reads are public;
 * the read token cannot write; the admin token can do everything; health and metrics stay open.
 */
@QuarkusTest
class ReadAccessTest {
    @Test
    void givenTokensAreCheckedAndTheReadTokenCannotWrite() {
        for (String path : new String[]{"/v1/skills", "/v1/runs", "/v1/trajectories", "/v1/imports", "/v1/schemas/trajectory"}) {
            given().auth().oauth2("wrong").get(path).then().statusCode(403).contentType("application/problem+json");
            given().auth().oauth2("test-read-token").get(path).then().statusCode(200);
        }
        given().auth().oauth2(IngestInfra.TOKEN).get("/v1/skills").then().statusCode(200);
        given().auth().oauth2("test-admin-token").get("/v1/skills").then().statusCode(200);
        given().auth().oauth2("test-read-token").contentType(ContentType.JSON).queryParam("dataset", "acl")
                .body("{\"id\":\"acl-1\",\"query\":\"q\",\"outcome\":{\"success\":true}}").post("/v1/trajectories")
                .then().statusCode(403).body("detail", containsString("read token cannot change anything"));
        given().contentType(ContentType.JSON).queryParam("dataset", "acl")
                .body("{\"id\":\"acl-1\",\"query\":\"q\",\"outcome\":{\"success\":true}}").post("/v1/trajectories")
                .then().statusCode(401);
        given().auth().oauth2("test-admin-token").contentType(ContentType.JSON).queryParam("dataset", "acl")
                .body("{\"id\":\"acl-1\",\"query\":\"q\",\"outcome\":{\"success\":true}}").post("/v1/trajectories")
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        given().auth().oauth2("test-read-token").get("/v1/trajectories/acl-1").then().statusCode(200).body("id", equalTo("acl-1"));
    }

    @Test
    void healthAndMetricsStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
