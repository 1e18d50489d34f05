package dev.trace2skill.worker;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Jobs in, patch results out, over the real broker; the model is the scripted server. */
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_worker"))
@QuarkusTestResource(ModelServerResource.class)
final class WorkerTestSupport {
    static final SkillBundle S0 = SkillBundle.ofText("booking", Map.of("SKILL.md",
            "---\nname: booking\ndescription: Books flights.\n---\n# Booking\n\n## Rules\n- Verify the user.\n- Check seat availability.\n"));
    static final String VALID_PATCH = "{\"edits\": [{\"op\": \"append_to_section\", \"target_section\": \"Rules\", "
            + "\"content\": \"- Confirm the passenger count before booking.\", \"rationale\": \"the run skipped it\"}]}";

    private WorkerTestSupport() {
    }

    static Trajectory trajectory(String id, boolean success, String expected) {
        return new Trajectory(id, null, "Book a flight for task " + id, List.of(
                new Step("find the user", ToolCall.withInput("get_user", "u1"), "{\"user\": \"u1\"}"),
                new Step(null, ToolCall.withInput("book", "f1"), success ? "booked" : "Error: payment amount does not add up")),
                success ? "booked" : "41", Outcome.of(success), expected, "test-model", null, null, null);
    }

    static AnalysisJob job(String runId, Trajectory t, AnalystKind analyst, AnalysisEngine engine) {
        return job(runId, t, analyst, engine, S0);
    }

    static AnalysisJob job(String runId, Trajectory t, AnalystKind analyst, AnalysisEngine engine, SkillBundle s0) {
        RunConfig config = new RunConfig(EvolutionMode.DEEPENING, AnalystSelection.COMBINED, engine, 0, 0, null, null, null);
        return new AnalysisJob(Topics.jobKey(runId, t.id()), runId, analyst, SkillSnapshot.of(s0, 1), t, config, 1);
    }

    /**
     * A failed episode of a built-in task set as the evaluator records it: the task set and checker in its metadata,
     * the task id, the expected answer (which analysts must not see).
     */
    static Trajectory episode(String id, String taskSet, String taskId, String checker, String expected, String answer, List<Step> steps) {
        return new Trajectory(id, taskId, "Task " + taskId + " of " + taskSet, steps, answer, Outcome.of(false), expected, "test-model", null,
                null, Map.of("taskSet", taskSet, "checker", checker));
    }

    static void publish(AnalysisJob job) {
        TopicReader.send(InfraTestResource.bootstrapServers(), Topics.ANALYSIS_JOBS, job.jobId(), Json.write(job));
    }

    static List<PatchResult> results(String runId, int expected, Duration timeout) {
        return TopicReader.read(InfraTestResource.bootstrapServers(), Topics.SKILL_PATCHES, r -> runId.equals(r.key()), expected, timeout)
                .stream().map(r -> Json.read(r.value(), PatchResult.class)).toList();
    }

    static PatchResult result(String runId) {
        List<PatchResult> rs = results(runId, 1, Duration.ofSeconds(60));
        if (rs.isEmpty()) {
            throw new AssertionError("no patch result for run " + runId);
        }
        return rs.get(0);
    }

    static List<ConsumerRecord<String, String>> deadLetters(String key) {
        return TopicReader.read(InfraTestResource.bootstrapServers(), Topics.ANALYSIS_JOBS_DLQ, r -> key.equals(r.key()), 1, Duration.ofSeconds(60));
    }

    static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
