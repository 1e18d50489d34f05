package dev.trace2skill.env;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.env.math.CalculatorTool;
import dev.trace2skill.env.sheet.SpreadsheetSettings;
import dev.trace2skill.env.table.TableTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tasks go to their domain's environment; text domains check answers without revealing the expected one. */
class EnvironmentsTest {
    @TempDir
    Path data;

    TaskEnvironments environments() throws IOException {
        Path tables = Files.createDirectories(data.resolve("tasks/wikitq/csv/t2s"));
        Files.copy(Path.of("src/test/resources/tables/lighthouses.csv"), tables.resolve("lighthouses.csv"));
        return TaskEnvironments.standard(data, SpreadsheetSettings.DEFAULTS);
    }

    static List<String> toolNames(Workspace w) {
        return w.tools().stream().flatMap(o -> ToolSpecifications.toolSpecificationsFrom(o).stream()).map(ToolSpecification::name).toList();
    }

    @Test
    void eachTaskGetsItsDomainsToolsAndFinishingTool() throws IOException {
        TaskEnvironments envs = environments();
        Task table = new Task("tq-1", "Which lighthouse is tallest?", "Cape Spire", "wikitq", Map.of("table", "csv/t2s/lighthouses.csv"));
        try (Workspace w = envs.open(table)) {
            assertThat(w.domain()).isEqualTo("table");
            assertThat(toolNames(w)).containsExactlyInAnyOrder("list_columns", "run_sql", "submit_answer");
            assertThat(w.briefing()).isEqualTo("The table is loaded as table t.");
            TableTools sql = (TableTools) w.tools().get(0);
            assertThat(sql.runSql("SELECT count(*) AS n FROM t")).isEqualTo("N\n4\n");
        }
        Task math = new Task("gsm8k-0", "2 + 2?", "4", "gsm8k", Map.of());
        try (Workspace w = envs.open(math)) {
            assertThat(w.domain()).isEqualTo("math");
            assertThat(toolNames(w)).containsExactlyInAnyOrder("calculate", "submit_answer");
            assertThat(((CalculatorTool) w.tools().get(0)).calculate("(1200 + 1250) * 2")).isEqualTo("4900");
        }
        Task other = new Task("x", "Capital of France?", "Paris", "normalized", Map.of());
        try (Workspace w = envs.open(other)) {
            assertThat(w.domain()).isEqualTo("answer");
            assertThat(toolNames(w)).containsExactly("submit_answer");
        }
        assertThatThrownBy(() -> envs.open(new Task("y", "q", "a", "psychic", Map.of()))).isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("no environment runs task y");
        assertThatThrownBy(() -> envs.open(new Task("z", "q", "a", "wikitq", Map.of("table", "../../../etc/passwd"))))
                .isInstanceOf(EnvironmentException.class).hasMessageContaining("outside the table folder");
    }

    @Test
    void textAnswersAreCheckedByTheTasksCheckerWithoutRevealingTheExpectedAnswer() throws IOException {
        Task table = new Task("tq-1", "Which lighthouse is tallest?", "Cape Spire", "wikitq", Map.of("table", "csv/t2s/lighthouses.csv"));
        try (Workspace w = environments().open(table)) {
            assertThat(w.finished()).isFalse();
            AnswerTool answer = (AnswerTool) w.tools().get(1);
            assertThat(answer.submitAnswer("cape spire")).isEqualTo("Answer recorded.");
            assertThat(w.finished()).isTrue();
            assertThat(w.submittedAnswer()).isEqualTo("cape spire");
            CheckResult ok = w.check(w.submittedAnswer(), CheckOptions.DEFAULT);
            assertThat(ok.passed()).isTrue();
            CheckResult wrong = w.check("North Point", CheckOptions.DEFAULT);
            assertThat(wrong.passed()).isFalse();
            assertThat(wrong.describe()).startsWith("FAIL").doesNotContain("Cape Spire");
            assertThat(wrong.expected()).isNull();
            assertThat(w.check("North Point", CheckOptions.DEFAULT.revealing()).expected()).containsIgnoringCase("cape spire");
            assertThat(w.check(null, CheckOptions.DEFAULT).problems()).containsExactly("no answer was given");

            // an analyst's check_output: the same checker, PASS or FAIL only
            AnswerCheckTool check = (AnswerCheckTool) w.analystTools(CheckOptions.DEFAULT).stream()
                    .filter(AnswerCheckTool.class::isInstance).findFirst().orElseThrow();
            assertThat(check.checkOutput("Cape Spire")).startsWith("PASS");
            assertThat(check.checkOutput("Lizard Point")).startsWith("FAIL").doesNotContain("Cape Spire");
            assertThat(check.calls()).isEqualTo(2);
            assertThat(w.replay(List.of()).replayed()).isZero();
        }
    }
}
