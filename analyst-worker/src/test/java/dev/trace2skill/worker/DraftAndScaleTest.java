package dev.trace2skill.worker;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.trace2skill.worker.WorkerTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class DraftAndScaleTest {
    final ScriptedModelServer model = ModelServerResource.server();

    @Inject
    WorkerMetrics metrics;
    @Inject
    AnalysisService analyses;
    @Inject
    WorkerConfig config;

    static RunConfig config(AnalysisEngine engine) {
        return new RunConfig(EvolutionMode.CREATION, AnalystSelection.COMBINED, engine, 0, 0, null, null, null);
    }

    static SkillDrafted drafted(String runId) {
        var rs = TopicReader.read(InfraTestResource.bootstrapServers(), Topics.SKILL_DRAFTS, r -> runId.equals(r.key()), 1, Duration.ofSeconds(60));
        assertThat(rs).hasSize(1);
        return Json.read(rs.get(0).value(), SkillDrafted.class);
    }

    @Test
    void creationModeDraftFromTheModelIsValidatedAndRepaired() {
        model.when("draft", r -> r.text().contains("Domain: invoice questions"),
                Reply.text("---\nname: invoices\n---\n# Invoices\n"),
                Reply.text("```markdown\n---\nname: invoices\ndescription: Answers questions about invoices.\n---\n# Invoices\n\n## Procedure\n1. Look the invoice up.\n```"));
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.DRAFT_REQUESTS, "run-draft",
                Json.write(new DraftRequest("run-draft", "invoices", "invoice questions", List.of("What is the total of invoice 17?"), config(AnalysisEngine.LLM))));
        SkillDrafted d = drafted("run-draft");
        assertThat(d.failure()).isNull();
        assertThat(d.skill().name()).isEqualTo("invoices");
        assertThat(new SkillValidator().validate(d.skill().bundle())).isEmpty();
        assertThat(d.skill().files().get("SKILL.md")).contains("1. Look the invoice up.");
        var repair = model.requests().stream().filter(r -> r.text().contains("Domain: invoice questions")).toList().get(1);
        assertThat(repair.lastMessage()).contains("description.required");
    }

    @Test
    void theOfflineEngineDraftsASkeletonWithoutAModel() {
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.DRAFT_REQUESTS, "run-skeleton",
                Json.write(new DraftRequest("run-skeleton", "refunds", "refund requests", List.of(), config(AnalysisEngine.MINING))));
        SkillDrafted d = drafted("run-skeleton");
        assertThat(new SkillValidator().validate(d.skill().bundle())).isEmpty();
        assertThat(d.skill().files().get("SKILL.md")).contains("name: refunds").contains("Drafted without a model");
    }

    @Test
    void analysesRunConcurrentlyUpToTheInFlightLimit() {
        int n = 3 * config.maxInFlight();
        model.when("concurrent", r -> r.text().contains("Trajectory conc-"),
                java.util.stream.IntStream.range(0, n).mapToObj(i -> Reply.text(VALID_PATCH).after(Duration.ofMillis(400))).toArray(Reply[]::new));
        for (int i = 0; i < n; i++) {
            publish(job("run-conc", trajectory("conc-" + i, true, null), AnalystKind.SUCCESS, AnalysisEngine.LLM));
        }
        List<PatchResult> results = results("run-conc", n, Duration.ofSeconds(90));
        assertThat(results).hasSize(n).allMatch(PatchResult::proposed);
        assertThat(metrics.peakInFlight()).as("peak analyses in flight").isGreaterThan(1).isLessThanOrEqualTo(config.maxInFlight());
    }

    /**
     * A second worker of the same consumer group takes some partitions, analyses some jobs and publishes their patches,
     * then dies before committing. Its jobs are redelivered to the surviving worker: every job gets a patch, and the
     * redelivered ones repeat the same patch id, so there is exactly one patch per job downstream.
     */
    @Test
    void whenAWorkerDiesMidRunEveryJobStillYieldsExactlyOnePatch() throws Exception {
        String runId = "run-kill";
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, InfraTestResource.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "analyst-workers");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        Set<String> doneByDoomed = new HashSet<>();
        try (KafkaConsumer<String, String> doomed = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            doomed.subscribe(List.of(Topics.ANALYSIS_JOBS));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (doomed.assignment().isEmpty() && System.nanoTime() < end) {
                doomed.poll(Duration.ofMillis(200));
            }
            assertThat(doomed.assignment()).as("the second worker got partitions").isNotEmpty();
            int n = 24;
            for (int i = 0; i < n; i++) {
                publish(job(runId, trajectory("kill-" + i, i % 2 == 0, "42"), AnalystKind.MINING, AnalysisEngine.MINING));
            }
            end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (doneByDoomed.isEmpty() && System.nanoTime() < end) {
                for (ConsumerRecord<String, String> rec : doomed.poll(Duration.ofMillis(300))) {
                    if (rec.key().startsWith(runId + ":") && doneByDoomed.size() < 3) {
                        AnalysisJob job = Json.read(rec.value(), AnalysisJob.class);
                        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.SKILL_PATCHES, runId, Json.write(analyses.analyse(job)));
                        doneByDoomed.add(job.jobId());
                    }
                }
            }
            // dies here: closed without committing anything
        }
        assertThat(doneByDoomed).as("the doomed worker finished some jobs before dying").isNotEmpty();
        List<PatchResult> results = results(runId, 24 + doneByDoomed.size(), Duration.ofSeconds(90));
        Map<String, List<PatchResult>> byPatch = results.stream().collect(Collectors.groupingBy(PatchResult::patchId));
        assertThat(byPatch).hasSize(24);
        assertThat(byPatch.values()).allSatisfy(rs -> assertThat(rs).allMatch(PatchResult::proposed));
        for (String jobId : doneByDoomed) {
            String patchId = AnalystKind.MINING.patchId(runId, jobId.substring(runId.length() + 1));
            assertThat(byPatch.get(patchId)).as("redelivered " + jobId).hasSize(2)
                    .extracting(PatchResult::patch).containsOnly(byPatch.get(patchId).get(0).patch());
        }
    }

    @Test
    void healthAndMetrics() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        String metricsText = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metricsText).contains("t2s_worker_analyses_in_flight").contains("kafka_consumer");
        List<String> names = new ArrayList<>(List.of("t2s_worker_analyses_total"));
        if (metricsText.contains("t2s_model_latency_seconds")) {
            names.add("t2s_model_tokens_total");
        }
        assertThat(metricsText).contains(names);
    }
}
