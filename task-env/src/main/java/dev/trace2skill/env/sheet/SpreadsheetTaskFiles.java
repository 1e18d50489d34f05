package dev.trace2skill.env.sheet;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.env.EnvironmentException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a spreadsheet task's workbooks are: its folder under {@code tasks/spreadsheetbench-verified} of the data folder
 * (never outside it), the input workbook named in the task, and the golden workbook found beside it.
 */
public record SpreadsheetTaskFiles(Path input, Path golden, String answerPosition, String answerSheet) {
    public static SpreadsheetTaskFiles of(Path dataDir, Task task) {
        Path root = TaskSets.spreadsheetRoot(dataDir).toAbsolutePath().normalize();
        String folderName = task.context().get("folder");
        if (folderName == null) {
            throw new EnvironmentException("spreadsheet task " + task.id() + " names no folder");
        }
        Path folder = root.resolve(folderName).normalize();
        if (!folder.startsWith(root) || !Files.isDirectory(folder)) {
            throw new EnvironmentException("spreadsheet task " + task.id() + ": folder " + folderName + " is not in " + root);
        }
        String input = task.context().getOrDefault("input", TaskSets.inputWorkbook(folder));
        String golden = TaskSets.goldenWorkbook(folder);
        if (input == null || golden == null) {
            throw new EnvironmentException("spreadsheet task " + task.id() + ": " + folder + " lacks its " + (input == null ? "input" : "golden") + " workbook");
        }
        Path in = folder.resolve(input).normalize();
        if (!in.startsWith(folder) || !Files.isRegularFile(in)) {
            throw new EnvironmentException("spreadsheet task " + task.id() + ": no input workbook " + input);
        }
        return new SpreadsheetTaskFiles(in, folder.resolve(golden), task.context().get("answerPosition"), task.context().get("answerSheet"));
    }
}
