package dev.trace2skill.core.pipeline;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MessagesTest {
    static final SkillBundle S0 = SkillBundle.ofText("airline", Map.of("SKILL.md", "---\nname: airline\ndescription: d\n---\n# A\n"));

    static Trajectory trajectory(String id, boolean success) {
        return new Trajectory(id, null, "q", List.of(), null, Outcome.of(success), null, null, null, null, null);
    }

    @Test
    void jobsAndPatchResultsRoundTrip() {
        RunConfig config = new RunConfig(EvolutionMode.DEEPENING, AnalystSelection.COMBINED, AnalysisEngine.LLM, 0, 0,
                new ModelSettings("default", null, "qwen", 0.2, 2048), null, 1_000_000L);
        AnalysisJob job = new AnalysisJob("r1:t1", "r1", AnalystKind.ERROR, SkillSnapshot.of(S0, 3), trajectory("t1", false), config, 40);
        AnalysisJob back = Json.read(Json.write(job), AnalysisJob.class);
        assertThat(back).isEqualTo(job);
        assertThat(back.config().mergeBranching()).isEqualTo(RunConfig.DEFAULT_BRANCHING);
        assertThat(back.skill().bundle().contentHash()).isEqualTo(S0.contentHash()).isEqualTo(back.skill().hash());
        assertThat(back.patchId()).isEqualTo("r1:t1:error");
        assertThat(Json.write(job)).contains("\"analyst\":\"error\"", "\"mode\":\"deepening\"", "\"engine\":\"llm\"");

        Patch patch = new Patch("r1:t1:error", List.of(Edit.of(EditOp.APPEND_TO_SECTION, null, "A", null, "- x", "why"))).supportedBy("t1");
        PatchResult result = new PatchResult("r1", "r1:t1", patch.id(), "t1", false, AnalystKind.ERROR, PatchResult.Status.PROPOSED,
                true, patch.withEditIds(), null, new TokenUsage(10, 5), 3, 1, 1200, "worker-0");
        PatchResult again = Json.read(Json.write(result), PatchResult.class);
        assertThat(again).isEqualTo(result);
        assertThat(again.patch().edits().get(0).id()).isEqualTo("r1:t1:error#1");
        assertThat(again.patch().support()).containsExactly("t1");
    }

    @Test
    void instantsTravelAsIsoText() {
        RunStarted started = new RunStarted("r1", SkillSnapshot.of(S0, 1), new RunConfig(null, null, null, 0, 0, null, null, null),
                List.of("r1:t1"), java.time.Instant.parse("2026-11-22T10:15:30Z"));
        String json = Json.write(started);
        assertThat(json).contains("\"startedAt\":\"2026-11-22T10:15:30Z\"");
        assertThat(Json.read(json, RunStarted.class)).isEqualTo(started);
    }

    @Test
    void analystSelectionFollowsTheOutcome() {
        Trajectory ok = trajectory("a", true);
        Trajectory bad = trajectory("b", false);
        assertThat(AnalystSelection.COMBINED.analystFor(ok, AnalysisEngine.LLM)).contains(AnalystKind.SUCCESS);
        assertThat(AnalystSelection.COMBINED.analystFor(bad, AnalysisEngine.LLM)).contains(AnalystKind.ERROR);
        assertThat(AnalystSelection.ERROR.analystFor(ok, AnalysisEngine.LLM)).isEmpty();
        assertThat(AnalystSelection.SUCCESS.analystFor(bad, AnalysisEngine.LLM)).isEmpty();
        assertThat(AnalystSelection.ERROR.analystFor(ok, AnalysisEngine.MINING)).contains(AnalystKind.MINING);
    }
}
