package dev.trace2skill.core.trajectory;

import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.PatchJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrajectoryTextTest {
    @Test
    void longObservationsKeepHeadAndTailWithAMarker() {
        String text = "H".repeat(3000) + "T".repeat(3000);
        String cut = TrajectoryText.truncate(text, 100);
        assertThat(cut).startsWith("H".repeat(240)).endsWith("T".repeat(160)).contains("[5600 characters omitted]");
        assertThat(TrajectoryText.truncate("short", 100)).isEqualTo("short");
    }

    @Test
    void renderingElidesMiddleStepsBeyondTheTotalBudget() {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            steps.add(new Step("think " + i, ToolCall.withInput("search", "q" + i), "o".repeat(400)));
        }
        Trajectory t = new Trajectory("t1", null, "question?", steps, "42", Outcome.of(false), "41", null, null, null, null);
        String full = TrajectoryText.render(t, new TrajectoryText.Budget(800, 100_000));
        assertThat(full).contains("[50] reasoning: think 49").contains("Expected answer: 41").contains("Outcome: failure");
        String hidden = TrajectoryText.render(t, new TrajectoryText.Budget(800, 100_000), false);
        assertThat(hidden).doesNotContain("Expected answer").contains("Final answer: 42").contains("[50] reasoning: think 49");
        String cut = TrajectoryText.render(t, new TrajectoryText.Budget(800, 2_000));
        assertThat(TrajectoryText.estimateTokens(cut)).isLessThanOrEqualTo(2_000);
        assertThat(cut).contains("[1] reasoning: think 0").contains("[50] reasoning: think 49").containsPattern("\\[steps \\d+-\\d+ omitted: read them with read_steps]");
    }

    @Test
    void patchesAreReadFromModelAnswers() {
        var parsed = PatchJson.parse("p", "Sure!\n```json\n{\"edits\": [{\"op\": \"append_to_section\", \"target_section\": \"Rules\", \"content\": \"- x\"},"
                + " {\"op\": \"explode\"}, {\"content\": \"no op\"}]}\n```");
        assertThat(parsed.patch().edits()).singleElement().satisfies(e -> assertThat(e.op()).isEqualTo(EditOp.APPEND_TO_SECTION));
        assertThat(parsed.errors()).hasSize(2);
        assertThat(parsed.errors().get(0)).contains("edits[1]").contains("explode");
        assertThat(parsed.errors().get(1)).contains("edits[2] has no op");
        assertThat(PatchJson.parse("p", "[{\"op\":\"delete_section\",\"target_section\":\"X\"}]").ok()).isTrue();
        assertThat(PatchJson.parse("p", "no json here").errors().get(0)).startsWith("the answer is not valid JSON");
    }
}
