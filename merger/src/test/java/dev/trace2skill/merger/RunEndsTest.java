package dev.trace2skill.merger;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.DeadLetter;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.service.DeadLetters;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Issue 17: trace-ingest and the merger agree on how every run ends. A run trace-ingest failed (RUN_ABORTED) is failed
 * here with the same reason — also when the abort arrives before the run — and is never merged; a run the merger fails
 * is announced to trace-ingest (RUN_FAILED, acknowledged by the broker); an oversized poison message is dead-lettered
 * by reference and the consumer goes on.
 */
@QuarkusTest
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_merger"))
@QuarkusTestResource(ModelServerResource.class)
class RunEndsTest {
    static RunConfig config(Long idleSeconds) {
        return new RunConfig(EvolutionMode.DEEPENING, AnalystSelection.COMBINED, AnalysisEngine.MINING, 5, 2, null, null, null, null,
                idleSeconds, null);
    }

    static void abort(String runId, String reason) {
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS, runId, Json.write(RunEvent.aborted(runId, reason)));
    }

    static PatchResult proposed(String runId, String trajectoryId) {
        return new PatchResult(runId, Topics.jobKey(runId, trajectoryId), AnalystKind.MINING.patchId(runId, trajectoryId), trajectoryId, true,
                AnalystKind.MINING, PatchResult.Status.PROPOSED, null, new Patch("p-" + trajectoryId, List.of()), null,
                new TokenUsage(1, 1), 0, 0, 1, "w");
    }

    @Test
    void aRunAbortedByTraceIngestIsFailedWithItsReasonAndNeverMerged() {
        String runId = "run-aborted";
        MergerTest.start(runId, config(600L), List.of("a1", "a2"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().statusCode(200)
                .body("status", equalTo("collecting")));
        abort(runId, "could not publish the run's jobs (5 attempts): Kafka unreachable");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then()
                .body("status", equalTo("failed"))
                .body("message", equalTo("aborted by trace-ingest: could not publish the run's jobs (5 attempts): Kafka unreachable")));
        // every result arriving now is stored as late, and nothing is merged
        MergerTest.send(proposed(runId, "a1"));
        MergerTest.send(proposed(runId, "a2"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().body("late", equalTo(2)));
        given().get("/v1/runs/" + runId).then().body("status", equalTo("failed"));
        given().get("/v1/runs/" + runId + "/skill").then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
    }

    @Test
    void anAbortThatArrivesBeforeItsRunFailsTheRunWhenItComes() {
        String runId = "run-aborted-early";
        abort(runId, "the evolved skill breaks the Agent Skills rules");
        // the abort is consumed on run-events first; then the announcement arrives on runs
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofSeconds(2)).until(() -> true);
        MergerTest.start(runId, config(600L), List.of("e1"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().statusCode(200)
                .body("status", equalTo("failed")).body("message", startsWith("aborted by trace-ingest: the evolved skill")));
    }

    @Test
    void aPoolTheMergerFailsIsAnnouncedToTraceIngest() {
        String runId = "run-empty-pool";
        MergerTest.start(runId, config(1L), List.of("x1", "x2"));
        var failed = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.RUN_EVENTS,
                r -> runId.equals(r.key()) && r.value().contains("RUN_FAILED"), 1, Duration.ofSeconds(60));
        assertThat(failed).hasSize(1);
        assertThat(Json.read(failed.get(0).value(), RunEvent.class).message()).contains("no result arrived within the merge window");
        given().get("/v1/runs/" + runId).then().body("status", equalTo("failed"));
    }

    @Test
    void anOversizedPoisonMessageIsDeadLetteredByReferenceAndTheConsumerGoesOn() {
        String big = "{\"runId\": \"" + "x".repeat(2_600_000) + "\""; // 2.6 MB, not JSON
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.SKILL_PATCHES, "poison-big", big);
        var dead = TopicReader.read(InfraTestResource.bootstrapServers(), "merger-dlq", r -> "poison-big".equals(r.key()), 1, Duration.ofSeconds(60));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value().length()).isLessThanOrEqualTo(DeadLetters.MAX_INLINE_PAYLOAD);
        DeadLetter ref = Json.read(dead.get(0).value(), DeadLetter.class);
        assertThat(ref.topic()).isEqualTo(Topics.SKILL_PATCHES);
        assertThat(ref.bytes()).isEqualTo(big.length());
        assertThat(ref.sha256()).hasSize(64);
        assertThat(ref.reason()).isNotBlank();
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        // the consumer goes on: a run still collects and merges
        String runId = "run-after-poison";
        MergerTest.start(runId, config(600L), List.of("p1"));
        MergerTest.send(proposed(runId, "p1"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/v1/runs/" + runId).then().body("results", equalTo(1)));
    }
}
