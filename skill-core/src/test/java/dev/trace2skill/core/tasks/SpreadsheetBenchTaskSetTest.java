package dev.trace2skill.core.tasks;

import dev.trace2skill.core.data.SharedData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The SpreadsheetBench Verified task set as the evaluator reads it (skipped without ../shared/data). */
class SpreadsheetBenchTaskSetTest {
    @Test
    void everyTaskNamesItsInputWorkbookAndAnswerPositionButNotItsGoldenOne() {
        Optional<Path> data = SharedData.locate();
        assumeTrue(data.isPresent() && Files.isDirectory(TaskSets.spreadsheetRoot(data.get())), "../shared/data/tasks/spreadsheetbench-verified is absent");
        List<Task> tasks = TaskSets.load(TaskSets.SPREADSHEETBENCH, data.get());
        assertThat(tasks).hasSize(400);
        assertThat(tasks).extracting(Task::id).doesNotHaveDuplicates().contains("13-1", "13284", "42930");
        assertThat(tasks).allSatisfy(t -> {
            assertThat(t.checker()).isEqualTo(TaskSets.SPREADSHEET_CHECKER);
            assertThat(t.expected()).isNull();
            assertThat(t.context()).containsKeys("folder", "input", "answerPosition", "instructionType").doesNotContainKey("golden");
            assertThat(t.question()).contains("Answer position: " + t.context().get("answerPosition"));
            Path folder = TaskSets.spreadsheetRoot(data.get()).resolve(t.context().get("folder"));
            assertThat(folder.resolve(t.context().get("input"))).isRegularFile();
            assertThat(TaskSets.goldenWorkbook(folder)).isNotNull();
        });
        // the folders that do not follow 1_<id>_init.xlsx / 1_<id>_golden.xlsx
        Task plain = tasks.stream().filter(t -> t.id().equals("13284")).findFirst().orElseThrow();
        assertThat(plain.context().get("input")).isEqualTo("initial.xlsx");
        assertThat(TaskSets.goldenWorkbook(TaskSets.spreadsheetRoot(data.get()).resolve(plain.context().get("folder")))).isEqualTo("golden.xlsx");
        assertThat(TaskSets.goldenWorkbook(TaskSets.spreadsheetRoot(data.get()).resolve("spreadsheet/42930"))).isEqualTo("1_43930_golden.xlsx");
        assertThat(tasks.stream().filter(t -> t.context().containsKey("answerSheet"))).hasSize(125);
        assertThat(tasks.stream().filter(t -> t.context().containsKey("exclude"))).extracting(Task::id).containsExactlyInAnyOrder("56225", "56274");
    }
}
