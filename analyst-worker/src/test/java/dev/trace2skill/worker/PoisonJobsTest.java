package dev.trace2skill.worker;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.DeadLetter;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.service.DeadLetters;
import dev.trace2skill.testkit.InfraTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.trace2skill.worker.WorkerTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Issue 17: no job stops the worker. Each poisonous job ends as a recorded failure (its run counts it) and a dead
 * letter that is never larger than any topic allows; readiness and liveness stay UP; the next job is analysed.
 */
@QuarkusTest
class PoisonJobsTest {

    /** The issue's trajectory: valid, 2.9 MB, 60,000 steps each calling a tool of its own name. */
    static Trajectory sixtyThousandTools(String id) {
        List<Step> steps = new ArrayList<>(60_000);
        for (int i = 0; i < 60_000; i++) {
            steps.add(new Step(null, ToolCall.withInput("tool_" + String.format("%05d", i), "x"), "ok"));
        }
        return new Trajectory(id, null, "use every tool once", steps, "done", Outcome.of(false), null, "m", null, null, null);
    }

    static void stillServing(String name) {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        publish(job("run-after-" + name, trajectory("after-" + name, true, null), AnalystKind.MINING, AnalysisEngine.MINING));
        assertThat(result("run-after-" + name).status()).isEqualTo(PatchResult.Status.PROPOSED);
    }

    @Test
    void theIssuesTwoPointNineMegabyteJobNeitherStopsTheWorkerNorBreaksItsDeadLetter() {
        AnalysisJob job = job("run-tools", sixtyThousandTools("tools-60k"), AnalystKind.MINING, AnalysisEngine.MINING);
        String value = Json.write(job);
        assertThat(value.length()).isGreaterThan(2_500_000);
        publish(job);
        PatchResult r = result("run-tools");
        assertThat(r.trajectoryId()).isEqualTo("tools-60k");
        // whatever the analysis made of it, a result is on skill-patches; a failure names its reason
        if (r.status() == PatchResult.Status.FAILED) {
            assertThat(r.failureReason()).isNotBlank();
            List<ConsumerRecord<String, String>> dead = deadLetters(job.jobId());
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value().length()).as("the dead letter carries a reference, not the 2.9 MB job")
                    .isLessThanOrEqualTo(DeadLetters.MAX_INLINE_PAYLOAD);
            assertThat(header(dead.get(0), DeadLetters.PAYLOAD)).isEqualTo("reference");
            DeadLetter ref = Json.read(dead.get(0).value(), DeadLetter.class);
            assertThat(ref.topic()).isEqualTo("analysis-jobs");
            assertThat(ref.key()).isEqualTo(job.jobId());
            assertThat(ref.bytes()).isEqualTo(value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            assertThat(ref.reason()).isEqualTo(r.failureReason());
            assertThat(header(dead.get(0), "dead-letter-offset")).isEqualTo(Long.toString(ref.offset()));
        }
        stillServing("tools");
        // delivered again (as after a restart before its offset was committed): the same clean outcome
        publish(job);
        assertThat(results("run-tools", 2, Duration.ofSeconds(120))).hasSize(2);
        stillServing("tools-again");
    }

    @Test
    void aJobWhoseReferencedTrajectoryCannotBeReadIsAFailedAnalysisAndADeadLetter() {
        AnalysisJob inline = job("run-ref", trajectory("ref-1", false, "42"), AnalystKind.MINING, AnalysisEngine.MINING);
        AnalysisJob byRef = new AnalysisJob(inline.jobId(), inline.runId(), inline.analyst(), inline.skill(), null, inline.config(), 1,
                new AnalysisJob.TrajectoryRef("ref-1", false, 5_000_000));
        publish(byRef);
        PatchResult r = result("run-ref");
        assertThat(r.status()).isEqualTo(PatchResult.Status.FAILED);
        assertThat(r.trajectoryId()).isEqualTo("ref-1");
        assertThat(r.trajectorySuccess()).isFalse();
        assertThat(r.failureReason()).contains("trace-ingest at http://127.0.0.1:9 is unreachable for trajectory ref-1");
        List<ConsumerRecord<String, String>> dead = deadLetters(byRef.jobId());
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), DeadLetters.PAYLOAD)).isEqualTo("inline");
        assertThat(Json.read(dead.get(0).value(), AnalysisJob.class).trajectoryRef().id()).isEqualTo("ref-1");
        stillServing("ref");
    }

    @Test
    void aJobThatStoppedItsWorkerOnEveryStartIsRecordedAsFailedInsteadOfAnalysedAgain() throws Exception {
        AnalysisJob job = job("run-crashy", trajectory("crashy", true, null), AnalystKind.MINING, AnalysisEngine.MINING);
        // three workers took it and died before publishing its result (what job_attempts holds after three crashes)
        try (Connection c = DriverManager.getConnection(InfraTestResource.jdbcUrl("t2s_worker"), "t2s", "");
             PreparedStatement ps = c.prepareStatement("INSERT INTO worker.job_attempts (patch_id, run_id, attempts) VALUES (?, ?, 3)")) {
            ps.setString(1, job.patchId());
            ps.setString(2, job.runId());
            ps.executeUpdate();
        }
        publish(job);
        PatchResult r = result("run-crashy");
        assertThat(r.status()).isEqualTo(PatchResult.Status.FAILED);
        assertThat(r.failureReason()).contains("started 3 times and never finished");
        assertThat(header(deadLetters(job.jobId()).get(0), "dead-letter-reason")).contains("t2s.worker.max-attempts 3");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/v1/analyses/" + job.patchId()).then()
                .statusCode(200).body("status", equalTo("FAILED")));
        stillServing("crashy");
    }
}
