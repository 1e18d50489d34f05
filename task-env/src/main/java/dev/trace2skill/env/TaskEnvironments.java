package dev.trace2skill.env;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.env.math.MathEnvironment;
import dev.trace2skill.env.sheet.SpreadsheetEnvironment;
import dev.trace2skill.env.sheet.SpreadsheetSettings;
import dev.trace2skill.env.table.TableEnvironment;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The environments a process knows, tried in order: spreadsheets, tables, math, and plain answers for any other task
 * an answer checker scores. The evaluator and the analyst worker build the same set from the same data folder.
 */
public final class TaskEnvironments {
    private final List<TaskEnvironment> environments;

    public TaskEnvironments(List<TaskEnvironment> environments) {
        this.environments = List.copyOf(environments);
    }

    /** Spreadsheets, tables and math over the data folder, then plain answers. */
    public static TaskEnvironments standard(Path dataDir, SpreadsheetSettings sheets) {
        return new TaskEnvironments(List.of(new SpreadsheetEnvironment(dataDir, sheets), new TableEnvironment(dataDir), new MathEnvironment(),
                new AnswerEnvironment()));
    }

    public List<TaskEnvironment> all() {
        return environments;
    }

    /** The environment that runs the task; EnvironmentException when none does. */
    public TaskEnvironment forTask(Task task) {
        for (TaskEnvironment e : environments) {
            if (e.handles(task)) {
                return e;
            }
        }
        throw new EnvironmentException("no environment runs task " + task.id() + " (checker '" + task.checker() + "')");
    }

    /** Opens a workspace for the task in its environment. */
    public Workspace open(Task task) {
        return forTask(task).open(task);
    }

    /** The environment of a given type, if this set has one (e.g. the spreadsheet environment for the check endpoint). */
    public <T extends TaskEnvironment> Optional<T> find(Class<T> type) {
        return environments.stream().filter(type::isInstance).map(type::cast).findFirst();
    }
}
