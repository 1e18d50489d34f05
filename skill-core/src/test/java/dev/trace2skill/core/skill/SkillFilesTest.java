package dev.trace2skill.core.skill;

import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The skill folder as analysts see it: the index, and which files a trajectory's steps touch on. */
class SkillFilesTest {
    static final SkillBundle SKILL = SkillBundle.ofText("tables", Map.of(
            "SKILL.md", "---\nname: tables\ndescription: Answer questions over tables.\n---\n# Tables\n\n"
                    + "## Querying\nUse run_sql; see references/sql-pitfalls.md for casts.\n\n"
                    + "## Dates\nDate formats are in references/dates.md.\n\n"
                    + "## Answering\nSubmit with submit_answer.\n",
            "references/sql-pitfalls.md", "# SQL pitfalls\n\nCAST before comparing numbers.\n",
            "references/dates.md", "# Dates\n\nyyyy-mm-dd.\n",
            "references/units.md", "# Units\n\n" + "Convert feet to metres. ".repeat(200) + "\n"));

    static Trajectory trajectory(Step... steps) {
        return new Trajectory("t1", "nu-1", "Which is tallest?", List.of(steps), "x", Outcome.of(true), null, "m", null, null, null);
    }

    @Test
    void theIndexListsEveryFileWithItsLinesAndTitle() {
        assertThat(SkillFiles.renderIndex(SKILL)).isEqualTo("""
                - SKILL.md (14 lines): Tables
                - references/dates.md (3 lines): Dates
                - references/sql-pitfalls.md (3 lines): SQL pitfalls
                - references/units.md (3 lines): Units
                """);
    }

    @Test
    void filesNamedByAStepComeFirstThenFilesLinkedFromSectionsOfTheToolsUsed() {
        Trajectory t = trajectory(
                new Step("look at the units first", ToolCall.withInput("read_reference", "references/units.md"), "# Units ..."),
                new Step(null, ToolCall.withInput("run_sql", "SELECT max(height) FROM t"), "52"),
                new Step(null, ToolCall.withInput("submit_answer", "52"), "Answer recorded."));
        List<SkillFiles.Touched> touched = SkillFiles.touchedBy(SKILL, t);
        assertThat(touched).extracting(SkillFiles.Touched::path).containsExactly("references/units.md", "references/sql-pitfalls.md");
        assertThat(touched.get(0).why()).isEqualTo("named by read_reference in step 1");
        assertThat(touched.get(1).why()).isEqualTo("linked from the SKILL.md section 'Querying', which covers run_sql (used in step 2)");
        // dates.md: linked from a section about no tool the agent used, never named: not touched
        assertThat(SkillFiles.touchedBy(SKILL, trajectory(new Step("I think about dates", null, null)))).isEmpty();
        assertThat(SkillFiles.touchedBy(SKILL, trajectory(new Step("check references/dates.md", null, null))))
                .extracting(SkillFiles.Touched::why).containsExactly("named in the reasoning of step 1");
    }

    @Test
    void textsAreRenderedWithinTheTokenBudget() {
        List<SkillFiles.Touched> touched = List.of(new SkillFiles.Touched("references/sql-pitfalls.md", "a"),
                new SkillFiles.Touched("references/units.md", "b"), new SkillFiles.Touched("references/dates.md", "c"));
        String all = SkillFiles.render(SKILL, touched, 10_000);
        assertThat(all).contains("<file path=\"references/sql-pitfalls.md\" why=\"a\">\n# SQL pitfalls").contains("CAST before")
                .contains("<file path=\"references/dates.md\"").doesNotContain("left out");
        String tight = SkillFiles.render(SKILL, touched, 300);
        assertThat(tight).contains("CAST before").contains("characters omitted")
                .contains("(left out for the budget of 300 tokens: references/dates.md)");
        assertThat(SkillFiles.render(SKILL, List.of(), 300)).isEqualTo("(none)\n");
    }
}
