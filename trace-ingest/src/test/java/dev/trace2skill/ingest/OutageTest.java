package dev.trace2skill.ingest;

import dev.trace2skill.infra.Ports;
import dev.trace2skill.testkit.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * trace-ingest while Kafka is unreachable (its bootstrap address is a port nothing listens on), with a small memory
 * budget for uploads (issue 17): readiness answers at once and says DOWN; a run started during the outage is retried
 * and then failed with the reason, never left {@code publishing}; uploads that cannot get their share of the memory
 * budget are refused with 503 and Retry-After, and go through once it is free.
 */
@QuarkusTest
@TestProfile(OutageTest.Outage.class)
class OutageTest {
    static final int DEAD_KAFKA_PORT = Ports.free();

    public static class Outage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "t2s.topics.create", "false",
                    "t2s.runs.publish-attempts", "2",
                    "t2s.runs.publish-timeout", "3s",
                    "t2s.runs.publish-retry-delay", "1s",
                    "t2s.health.kafka.interval", "500ms",
                    "t2s.health.kafka.timeout", "500ms",
                    "t2s.ingest.memory-budget", "16M",
                    "t2s.ingest.budget-wait", "300ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(DeadKafka.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** The shared PostgreSQL, and a Kafka address where no broker listens. */
    public static class DeadKafka implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + DEAD_KAFKA_PORT,
                    "t2s.datasource.jdbc-url", InfraTestResource.jdbcUrl("t2s_ingest_outage"),
                    "t2s.datasource.username", dev.trace2skill.infra.PostgresServer.USER);
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void readinessAnswersWithinASecondAndSaysKafkaIsDown() {
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").asString().contains("no answer from Kafka"));
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            Response r = given().get("/q/health/ready");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).as("readiness answered in %d ms", ms).isLessThan(1_000);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.jsonPath().getString("status")).isEqualTo("DOWN");
            assertThat(r.jsonPath().getList("checks.findAll { it.name == 'Kafka connection health check' }.status")).containsExactly("DOWN");
        }
    }

    @Test
    void aRunStartedDuringTheOutageIsRetriedThenFailedWithTheReason() {
        given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"name\":\"outage\",\"files\":{\"SKILL.md\":\"---\\nname: outage\\ndescription: Outages.\\n---\\n# Outage\\n\"}}")
                .post("/v1/skills").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").queryParam("dataset", "outage")
                .body("{\"id\":\"out-1\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[{\"action\":{\"tool\":\"a\"}}]}\n"
                        .getBytes(StandardCharsets.UTF_8))
                .post("/v1/trajectories").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        String runId = given().auth().oauth2(IngestInfra.TOKEN).contentType(ContentType.JSON)
                .body("{\"skill\":\"outage@1\",\"trajectories\":{\"dataset\":\"outage\"},\"engine\":\"mining\"}")
                .post("/v1/runs").then().statusCode(202)
                .body("status", equalTo("publishing")).body("message", containsString("attempt 1 of 2"))
                .extract().path("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> given().get("/v1/runs/" + runId)
                .then().body("status", equalTo("failed"))
                .body("message", containsString("could not publish the run's jobs (2 attempts)")));
        given().get("/v1/runs/" + runId).then().body("counts.jobsPublished", equalTo(0));
    }

    @Test
    void uploadsBeyondTheMemoryBudgetGet503WithRetryAfterAndGoThroughOnceItIsFree() throws Exception {
        // a chunked upload (no Content-Length) reserves what its largest record and batch may take: here all 16 MB.
        // It is written on a plain socket: headers and one chunk with a record, then the stream is held open.
        String record = "{\"id\":\"budget-1\",\"query\":\"q\",\"outcome\":{\"success\":true}}\n";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/trajectories?dataset=budget HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + IngestInfra.TOKEN
                    + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(record.length()) + "\r\n" + record + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/q/metrics").asString().lines()
                    .anyMatch(l -> l.startsWith("t2s_ingest_memory_reserved_bytes") && !l.endsWith(" 0.0")));

            Response busy = given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").queryParam("dataset", "budget")
                    .body("{\"id\":\"budget-2\",\"query\":\"q\",\"outcome\":{\"success\":true}}\n".getBytes(StandardCharsets.UTF_8))
                    .post("/v1/trajectories");
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.contentType()).startsWith("application/problem+json");
            assertThat(busy.header("Retry-After")).isEqualTo("1");
            assertThat(busy.jsonPath().getString("detail")).contains("t2s.ingest.memory-budget");
            // the service keeps serving what needs no upload budget
            given().get("/v1/trajectories?dataset=budget").then().statusCode(200);

            out.write("0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(status).isEqualTo("HTTP/1.1 201 Created");
        }
        given().auth().oauth2(IngestInfra.TOKEN).contentType("application/x-ndjson").queryParam("dataset", "budget")
                .body("{\"id\":\"budget-2\",\"query\":\"q\",\"outcome\":{\"success\":true}}\n".getBytes(StandardCharsets.UTF_8))
                .post("/v1/trajectories").then().statusCode(201);
        given().get("/v1/trajectories?dataset=budget").then().body("items.id", org.hamcrest.Matchers.containsInAnyOrder("budget-1", "budget-2"));
    }
}
