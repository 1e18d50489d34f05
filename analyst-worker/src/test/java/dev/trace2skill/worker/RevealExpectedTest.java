package dev.trace2skill.worker;

import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import dev.trace2skill.testkit.ModelServerResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.trace2skill.worker.AnalystsTest.about;
import static dev.trace2skill.worker.AnalystsTest.json;
import static dev.trace2skill.worker.AnalystsTest.kannadaEpisode;
import static dev.trace2skill.worker.AnalystsTest.lastToolResult;
import static dev.trace2skill.worker.AnalystsTest.proposal;
import static dev.trace2skill.worker.WorkerTestSupport.job;
import static dev.trace2skill.worker.WorkerTestSupport.publish;
import static dev.trace2skill.worker.WorkerTestSupport.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code t2s.worker.reveal-expected=true}, the comparison setting: the analyst sees the expected answer again and a
 * copied answer the checker passes counts as verified (one more application start, so a single test).
 */
@QuarkusTest
@TestProfile(RevealExpectedTest.Revealing.class)
class RevealExpectedTest {
    public static class Revealing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("t2s.worker.reveal-expected", "true");
        }
    }

    final ScriptedModelServer model = ModelServerResource.server();

    @Test
    void theExpectedAnswerIsShownAgainAndACopiedAnswerPasses() {
        model.when("e-rev", about("e-rev"),
                Reply.toolCall("check_output", json(Map.of("answer", "15"))),
                Reply.toolCall("propose_patch", proposal()));
        publish(job("run-e-rev", kannadaEpisode("e-rev"), AnalystKind.ERROR, AnalysisEngine.LLM));
        PatchResult r = result("run-e-rev");
        assertThat(r.status()).isEqualTo(PatchResult.Status.PROPOSED);
        assertThat(r.verified()).isTrue();
        List<ChatRequest> turns = model.requests().stream().filter(about("e-rev")).toList();
        assertThat(turns.get(0).text()).contains("Expected answer: 15");
        assertThat(lastToolResult(turns.get(1))).startsWith("PASS");
    }
}
