package dev.trace2skill.env;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.env.math.CalculatorTool;
import dev.trace2skill.env.sheet.SpreadsheetSettings;
import dev.trace2skill.env.sheet.WorkbookTools;
import dev.trace2skill.env.table.TableTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An error analyst's replay in the task's own environment, on real tasks: WikiTableQuestions nu-6 (films in Kannada,
 * 15 of the table's 17 rows) with its real table, and SpreadsheetBench Verified 38462 (hours to whole hours). Verified
 * only when the checker accepts a result the analyst's own tool calls produced. Skipped without ../shared/data.
 */
class ReplaySessionTest {
    static Path data;
    static TaskEnvironments envs;
    static TaskLookup lookup;

    @BeforeAll
    static void data() {
        Optional<Path> d = SharedData.locate();
        assumeTrue(d.isPresent() && Files.isDirectory(d.get().resolve("tasks/wikitq"))
                && Files.isDirectory(TaskSets.spreadsheetRoot(d.get())), "../shared/data with wikitq and spreadsheetbench-verified is absent");
        data = d.get();
        envs = TaskEnvironments.standard(data, SpreadsheetSettings.DEFAULTS);
        lookup = new TaskLookup(data);
    }

    static Trajectory episode(String taskSet, String taskId, String checker, String expected) {
        Map<String, Object> meta = new java.util.LinkedHashMap<>();
        if (taskSet != null) {
            meta.put(TaskLookup.TASK_SET, taskSet);
        }
        if (checker != null) {
            meta.put(TaskLookup.CHECKER, checker);
        }
        return new Trajectory("ep-1", taskId, "the question", List.of(), "17", Outcome.of(false), expected, "m", null, null, meta);
    }

    static ToolCall call(String tool, String... kv) {
        ObjectNode args = Json.mapper().createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            args.put(kv[i], kv[i + 1]);
        }
        return new ToolCall(tool, args);
    }

    /** Calls a tool as a model would (by name, through the object's @Tool method) and reports its answer to the session. */
    static String use(ReplaySession s, String tool, Object... args) throws Exception {
        for (Object o : s.tools()) {
            for (Method m : o.getClass().getMethods()) {
                var t = m.getAnnotation(dev.langchain4j.agent.tool.Tool.class);
                if (t != null && t.name().equals(tool)) {
                    String answer = (String) m.invoke(o, args);
                    s.observe(tool, answer);
                    return answer;
                }
            }
        }
        throw new AssertionError("no tool " + tool);
    }

    static List<String> names(ReplaySession s) {
        return s.tools().stream().flatMap(o -> ToolSpecifications.toolSpecificationsFrom(o).stream()).map(ToolSpecification::name).toList();
    }

    @Test
    void theTaskIsFoundFromTheTrajectorysTaskSetOrItsOwnExpectedAnswerAndChecker() {
        TaskLookup.Resolution r = lookup.resolve(episode("wikitq", "nu-6", "wikitq", "15"));
        assertThat(r.found()).isTrue();
        assertThat(r.task().context()).containsEntry("table", "csv/203-csv/463.csv");
        assertThat(r.task().expected()).isEqualTo("15");
        assertThat(r.source()).isEqualTo("task nu-6 of task set wikitq");
        TaskLookup.Resolution inline = lookup.resolve(episode("inline", "q-1", "gsm8k", "18"));
        assertThat(inline.task()).isEqualTo(new Task("q-1", "the question", "18", "gsm8k", Map.of()));
        assertThat(lookup.resolve(episode("wikitq", "nope", null, null)).reason()).isEqualTo("task set wikitq has no task nope");
        assertThat(lookup.resolve(episode("tau-bench", "1", null, null)).reason()).startsWith("unknown task set 'tau-bench'");
        assertThat(lookup.resolve(episode(null, "1", null, "[{\"name\": \"book\"}]")).reason())
                .startsWith("the trajectory names no task set (metadata.taskSet)");
        assertThat(new TaskLookup(null).resolve(episode("wikitq", "nu-6", null, null)).reason())
                .isEqualTo("task set wikitq needs the data folder (T2S_DATA_DIR), which was not found");
    }

    @Test
    void aTableAnswerIsVerifiedOnlyWhenTheAnalystsOwnSqlProducedIt() throws Exception {
        Task task = lookup.resolve(episode("wikitq", "nu-6", "wikitq", "15")).task();
        // copying the right answer without replaying: never sent to the checker, never verified
        try (ReplaySession s = ReplaySession.open(envs, task, List.of(), CheckOptions.DEFAULT, 3)) {
            assertThat(s.domain()).isEqualTo("table");
            assertThat(names(s)).containsExactlyInAnyOrder("list_columns", "run_sql", "check_output");
            assertThat(use(s, "check_output", "15")).startsWith("NOT CHECKED (no check used): the value '15' did not come from your own tool calls")
                    .doesNotContain("PASS");
            assertThat(s.checks()).isZero();
            assertThat(s.verified()).isFalse();
            // a query whose result does not hold the value does not make it produced either
            use(s, "run_sql", "SELECT count(*) FROM t");
            assertThat(use(s, "check_output", "15")).startsWith("NOT CHECKED");
            assertThat(s.summary()).contains("not verified: no result of its own was checked");
        }
        // replaying the corrected step: the right SQL on the real table, then its result is checked
        try (ReplaySession s = ReplaySession.open(envs, task, List.of(), CheckOptions.DEFAULT, 3)) {
            assertThat(use(s, "run_sql", "SELECT count(*) AS n FROM t")).isEqualTo("N\n17\n");
            String wrong = use(s, "check_output", "17");
            assertThat(wrong).startsWith("FAIL (official check)").contains("2 checks left").doesNotContain("15");
            assertThat(use(s, "run_sql", "SELECT count(*) AS n FROM t WHERE \"Language\" = 'Kannada'")).isEqualTo("N\n15\n");
            assertThat(use(s, "check_output", "15")).startsWith("PASS (official check)").contains("VERIFIED");
            assertThat(s.verified()).isTrue();
            assertThat(s.checks()).isEqualTo(2);
            assertThat(s.summary()).isEqualTo("replayed in the table environment of task nu-6; verified: the checker accepted a result the analyst produced (2 of 3 checks)");
        }
    }

    @Test
    void checksAreLimitedAndNeverRevealTheAnswerUnlessAsked() throws Exception {
        Task task = lookup.resolve(episode("wikitq", "nu-6", "wikitq", "15")).task();
        try (ReplaySession s = ReplaySession.open(envs, task, List.of(), CheckOptions.DEFAULT, 2)) {
            use(s, "run_sql", "SELECT \"Year\" FROM t LIMIT 3");
            assertThat(use(s, "check_output", "2008")).startsWith("FAIL").contains("1 check left");
            assertThat(use(s, "check_output", "2009")).startsWith("FAIL").contains("0 checks left");
            assertThat(use(s, "check_output", "2008")).startsWith("NO CHECKS LEFT: this analysis had 2 checks, none passed");
            assertThat(s.checks()).isEqualTo(2);
            assertThat(s.verified()).isFalse();
        }
        // revealing (comparison setups): the expected answer in the check's answer, and no production rule
        try (ReplaySession s = ReplaySession.open(envs, task, List.of(), CheckOptions.DEFAULT.revealing(), 3)) {
            assertThat(use(s, "check_output", "17")).startsWith("FAIL").contains("expected: 15");
            assertThat(use(s, "check_output", "15")).startsWith("PASS");
            assertThat(s.verified()).isTrue();
        }
    }

    @Test
    void mathIsReplayedWithTheCalculatorAndAPlainAnswerTaskHasNothingToReplayWith() throws Exception {
        Task math = new Task("q-1", "Half of 36?", "18", "gsm8k", Map.of());
        try (ReplaySession s = ReplaySession.open(envs, math, List.of(), CheckOptions.DEFAULT, 3)) {
            assertThat(names(s)).containsExactlyInAnyOrder("calculate", "check_output");
            assertThat(use(s, "calculate", "36 / 2")).isEqualTo("18");
            assertThat(use(s, "check_output", "The answer is 18")).startsWith("PASS");
            assertThat(s.verified()).isTrue();
        }
        assertThatThrownBy(() -> ReplaySession.open(envs, new Task("x", "Capital of France?", "Paris", "normalized", Map.of()), List.of(),
                CheckOptions.DEFAULT, 3)).isInstanceOf(EnvironmentException.class).hasMessageContaining("has no tools to reproduce a result with");
        assertThatThrownBy(() -> ReplaySession.open(envs, new Task("y", "2+2?", null, "gsm8k", Map.of()), List.of(), CheckOptions.DEFAULT, 3))
                .isInstanceOf(EnvironmentException.class).hasMessageContaining("has no ground truth");
    }

    @Test
    void aSpreadsheetErrorIsReplayedAndTheAnalystsCorrectedWorkbookVerifiesIt() throws Exception {
        Task task = lookup.resolve(episode(TaskSets.SPREADSHEETBENCH, "38462", "spreadsheet", null)).task();
        List<ToolCall> agent = List.of(call("read_range", "range", "A1:C2"),
                call("write_range", "range", "C1", "values", "[[\"=B1*24\"], [\"=B2*24\"]]"), call("finish"));
        try (ReplaySession s = ReplaySession.open(envs, task, agent, CheckOptions.DEFAULT, 3)) {
            assertThat(s.workbook()).isTrue();
            assertThat(s.replay().replayed()).isEqualTo(2);
            assertThat(names(s)).contains("read_range", "write_range", "list_input_sheets", "read_input_range", "find_input_text", "check_output");
            // the agent's output as replayed: checking it unchanged is refused and costs nothing
            assertThat(use(s, "check_output")).startsWith("NOT CHECKED (no check used): the workbook is still the agent's output as replayed");
            assertThat(use(s, "read_range", "C1:C2")).contains("=B1*24");
            assertThat(use(s, "read_input_range", "C1:C2")).doesNotContain("=B1*24");
            use(s, "write_range", "C1:C2", "[[\"=ROUND(B1*24,0)\"], [12345]]");
            String fail = use(s, "check_output");
            assertThat(fail).startsWith("FAIL (official check)").contains("mismatching cells: Sheet1!C2").doesNotContain("expected");
            use(s, "write_range", "C2", "[[\"=ROUND(B2*24,0)\"]]");
            assertThat(use(s, "check_output")).startsWith("PASS (official check)").contains("VERIFIED");
            assertThat(s.verified()).isTrue();
            assertThat(s.summary()).startsWith("replayed in the spreadsheet environment of task 38462 (2 recorded calls re-run); verified");
        }
    }

    /** The tool classes a replay hands out are the evaluator's own: the same implementations for agent and analyst. */
    @Test
    void theAnalystGetsTheSameToolImplementationsAsTheAgent() {
        Task task = lookup.resolve(episode("wikitq", "nu-6", "wikitq", "15")).task();
        try (ReplaySession s = ReplaySession.open(envs, task, List.of(), CheckOptions.DEFAULT, 3); Workspace agent = envs.open(task)) {
            assertThat(s.tools()).hasAtLeastOneElementOfType(TableTools.class);
            assertThat(agent.tools()).hasAtLeastOneElementOfType(TableTools.class);
        }
        try (ReplaySession s = ReplaySession.open(envs, new Task("q", "1+1", "2", "math", Map.of()), List.of(), CheckOptions.DEFAULT, 3)) {
            assertThat(s.tools()).hasAtLeastOneElementOfType(CalculatorTool.class);
        }
        Task sheet = lookup.resolve(episode(TaskSets.SPREADSHEETBENCH, "38462", null, null)).task();
        try (ReplaySession s = ReplaySession.open(envs, sheet, List.of(), CheckOptions.DEFAULT, 3)) {
            assertThat(s.tools()).hasAtLeastOneElementOfType(WorkbookTools.class);
        }
    }
}
