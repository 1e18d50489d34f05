package dev.trace2skill.env.sheet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.CheckResult;
import dev.trace2skill.env.TaskEnvironments;
import dev.trace2skill.env.Workspace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Spreadsheet episodes on a real SpreadsheetBench Verified task (38462: hours to whole hours in C1:C2) and on real
 * workbooks of the set: the right formulas pass, a wrong value fails with its address, a recorded episode is replayed
 * into the same output, and an analyst's check_output verifies a corrected workbook. Skipped without ../shared/data.
 */
class SpreadsheetEpisodeTest {
    static Path data;
    static TaskEnvironments envs;
    static List<Task> tasks;

    @BeforeAll
    static void data() {
        Optional<Path> d = SharedData.locate();
        assumeTrue(d.isPresent() && Files.isDirectory(TaskSets.spreadsheetRoot(d.get())), "../shared/data/tasks/spreadsheetbench-verified is absent");
        data = d.get();
        envs = TaskEnvironments.standard(data, SpreadsheetSettings.DEFAULTS);
        tasks = TaskSets.load(TaskSets.SPREADSHEETBENCH, data);
    }

    static Task task(String id) {
        return tasks.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    static ToolCall call(String tool, String... kv) {
        ObjectNode args = Json.mapper().createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            args.put(kv[i], kv[i + 1]);
        }
        return new ToolCall(tool, args);
    }

    @Test
    void theRightFormulaPassesAndAWrongValueFailsWithItsAddress() {
        Task t = task("38462");
        assertThat(t.question()).contains("Answer position: C1:C2").doesNotContain("golden");
        assertThat(t.expected()).isNull();
        try (Workspace w = envs.open(t)) {
            assertThat(w.domain()).isEqualTo("spreadsheet");
            WorkbookTools tools = (WorkbookTools) w.tools().get(0);
            assertThat(tools.listSheets()).startsWith("1 sheet:");
            assertThat(tools.readRange("A1:C2")).contains("B1:");
            assertThat(w.check(null, CheckOptions.DEFAULT).problems()).containsExactly("no output workbook was written (finish was not called)");
            assertThat(tools.writeRange("C1:C2", "[[\"=ROUND(B1*24,0)\"], [\"=ROUND(B2*24,0)\"]]")).startsWith("Wrote 2 cells");
            tools.finish();
            assertThat(w.finished()).isTrue();
            CheckResult ok = w.check(null, CheckOptions.DEFAULT);
            assertThat(ok.passed()).as(ok.describe()).isTrue();
            assertThat(ok.detail()).contains("recalculated by poi", "2 cells compared, 0 differ");
        }
        try (Workspace w = envs.open(t)) {
            WorkbookTools tools = (WorkbookTools) w.tools().get(0);
            tools.writeRange("C1:C2", "[[\"=ROUND(B1*24,0)\"], [12345]]");
            tools.finish();
            CheckResult wrong = w.check(null, CheckOptions.DEFAULT);
            assertThat(wrong.passed()).isFalse();
            assertThat(wrong.mismatches()).containsExactly("Sheet1!C2");
            assertThat(wrong.expected()).isNull();
            assertThat(w.check(null, CheckOptions.DEFAULT.revealing()).expected()).startsWith("Sheet1!C2: expected ").contains("got 12345");
        }
    }

    @Test
    void aRecordedEpisodeIsReplayedAndAnAnalystVerifiesItsFixWithCheckOutput() {
        Task t = task("38462");
        List<ToolCall> recorded = List.of(call("list_sheets"), call("read_range", "range", "A1:C2"),
                call("write_range", "range", "C1", "values", "[[\"=B1*24\"], [\"=B2*24\"]]"), call("finish"));
        CheckResult agents;
        try (Workspace w = envs.open(t)) {
            Workspace.Replay replay = w.replay(recorded);
            assertThat(replay.replayed()).isEqualTo(2);
            assertThat(replay.skipped()).isEqualTo(2);
            assertThat(replay.failures()).isEmpty();
            agents = w.check(null, CheckOptions.DEFAULT);
        }
        assumeTrue(!agents.passed(), "B*24 without rounding happens to pass on this workbook");
        assertThat(agents.mismatches()).isNotEmpty();
        // the error analyst: the same environment, the agent's output rebuilt, a fix, and the checker's verdict
        try (Workspace w = envs.open(t)) {
            w.replay(recorded);
            List<Object> analyst = w.analystTools(CheckOptions.DEFAULT);
            WorkbookTools tools = (WorkbookTools) analyst.get(0);
            WorkbookCheckTool check = (WorkbookCheckTool) analyst.get(1);
            assertThat(check.checkOutput()).startsWith("FAIL").contains("mismatching cells: " + String.join(", ", agents.mismatches()));
            tools.writeRange("C1", "[[\"=ROUND(B1*24,0)\"], [\"=ROUND(B2*24,0)\"]]");
            assertThat(check.checkOutput()).startsWith("PASS (official check)");
            assertThat(check.calls()).isEqualTo(2);
            assertThat(check.last().passed()).isTrue();
        }
    }

    @Test
    void everyToolWorksOnRealTaskWorkbooks() {
        // two sheets with merged regions, a sheet name in Arabic, a sheet name with commas and spaces
        for (String id : List.of("13-1", "516-46", "130-9")) {
            Task t = task(id);
            try (Workspace w = envs.open(t)) {
                WorkbookTools tools = (WorkbookTools) w.tools().get(0);
                String sheets = tools.listSheets();
                assertThat(sheets).as(id).contains("used ");
                String firstSheet = sheets.lines().skip(1).findFirst().orElseThrow().replaceFirst("^1\\. ", "").replaceFirst(":.*$", "")
                        .replaceFirst(" \\(hidden\\)$", "");
                String read = tools.readRange(firstSheet + "!A1:J40");
                assertThat(read).as(id).startsWith(firstSheet + "!A1:J40:");
                assertThat(read.length()).isLessThanOrEqualTo(SpreadsheetSettings.DEFAULTS.maxObservationChars() + 60);
                assertThat(tools.findText("zzz-not-there", "")).startsWith("No cell contains");
                assertThat(tools.insertRows(firstSheet, 2, 1)).as(id).startsWith("Inserted 1 row");
                assertThat(tools.deleteRows(firstSheet, 2, 1)).as(id).startsWith("Deleted 1 row");
                assertThat(tools.insertColumns(firstSheet, "B", 1)).as(id).startsWith("Inserted 1 column");
                assertThat(tools.deleteColumns(firstSheet, "B", 1)).as(id).startsWith("Deleted 1 column");
                assertThat(tools.writeRange(firstSheet + "!ZZ1", "\"=1+1\"")).as(id).contains("→ 2");
                assertThat(tools.recalculate()).as(id).startsWith("Recalculated");
                assertThat(tools.finish()).as(id).startsWith("Saved");
                CheckResult r = w.check(null, new CheckOptions(CheckOptions.Mode.LENIENT, false, false));
                assertThat(r.problems()).as(id + ": " + r.describe()).isEmpty();
            }
        }
    }

    @Test
    void libreOfficeRecalculatesWhatPoiCannotInItsOwnProcess() throws Exception {
        LibreOfficeRecalculator lo = new LibreOfficeRecalculator("soffice", java.time.Duration.ofSeconds(180));
        assumeTrue(lo.available(), "LibreOffice (soffice) is not installed");
        Task t = task("38462");
        SpreadsheetEnvironment sheets = new SpreadsheetEnvironment(data, SpreadsheetSettings.DEFAULTS.withRecalculator("libreoffice"));
        try (Workspace w = sheets.open(t)) {
            WorkbookTools tools = (WorkbookTools) w.tools().get(0);
            // TEXTJOIN-free arithmetic both engines know, plus a function neither knows
            tools.writeRange("C1:C2", "[[\"=ROUND(B1*24,0)\"], [\"=ROUND(B2*24,0)\"]]");
            tools.writeRange("D1", "\"=NOSUCHFN(1)\"");
            tools.finish();
            long start = System.nanoTime();
            CheckResult r = w.check(null, CheckOptions.DEFAULT);
            System.out.printf("LibreOffice recalculation and check: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertThat(r.passed()).as(r.describe()).isTrue();
            assertThat(r.detail()).startsWith("recalculated by libreoffice");
            assertThat(r.notEvaluated()).anySatisfy(n -> assertThat(n).startsWith("Sheet1!D1: #NAME?"));
        }
    }
}
