package dev.trace2skill.env;

import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.core.trajectory.Trajectory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the task a trajectory ran, so that an analyst can replay it in the task's environment:
 * <ol>
 *   <li>a built-in task set named in {@code metadata.taskSet} (the evaluator's episodes set it; the native format
 *       carries it) and the trajectory's {@code taskId}: the task as the set defines it, read from the data folder
 *       (its table, its workbooks, its ground truth);</li>
 *   <li>otherwise a trajectory that carries its own expected answer and a known checker ({@code metadata.checker}, as
 *       an evaluator episode of an inline task does): a task made of its query, expected answer and checker;</li>
 *   <li>otherwise none, with the reason.</li>
 * </ol>
 * Task sets are read once per data folder and kept.
 */
public final class TaskLookup {
    /** The metadata key naming the task set a trajectory's task belongs to. */
    public static final String TASK_SET = "taskSet";
    /** The metadata key naming the task's answer checker. */
    public static final String CHECKER = "checker";
    /** The task-set name of tasks given inline in an evaluation request. */
    public static final String INLINE = "inline";

    private final Path dataDir;
    private final Map<String, Map<String, Task>> sets = new ConcurrentHashMap<>();

    /** @param dataDir the data folder holding {@code tasks/}, or null when there is none */
    public TaskLookup(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * @param task   the task, or null
     * @param source how it was found (for the record), or null
     * @param reason why none was found, or null
     */
    public record Resolution(Task task, String source, String reason) {
        public boolean found() {
            return task != null;
        }

        static Resolution none(String reason) {
            return new Resolution(null, null, reason);
        }
    }

    public Resolution resolve(Trajectory t) {
        String set = text(t.metadata().get(TASK_SET));
        String taskId = t.taskId() == null || t.taskId().isBlank() ? null : t.taskId().strip();
        if (set != null && !set.equals(INLINE)) {
            if (!TaskSets.NAMES.contains(set)) {
                return Resolution.none("unknown task set '" + set + "' (built in: " + String.join(", ", TaskSets.NAMES) + ")");
            }
            if (taskId == null) {
                return Resolution.none("the trajectory names task set " + set + " but no task id");
            }
            if (dataDir == null) {
                return Resolution.none("task set " + set + " needs the data folder (T2S_DATA_DIR), which was not found");
            }
            Map<String, Task> tasks;
            try {
                tasks = sets.computeIfAbsent(set, this::load);
            } catch (RuntimeException e) {
                return Resolution.none("task set " + set + " cannot be read from " + dataDir + ": " + e.getMessage());
            }
            Task task = tasks.get(taskId);
            return task == null ? Resolution.none("task set " + set + " has no task " + taskId)
                    : new Resolution(task, "task " + taskId + " of task set " + set, null);
        }
        String checker = text(t.metadata().get(CHECKER));
        if (t.expectedAnswer() != null && !t.expectedAnswer().isBlank() && checker != null && AnswerCheckers.names().contains(checker)) {
            Task task = new Task(taskId != null ? taskId : t.id(), t.query(), t.expectedAnswer(), checker, Map.of());
            return new Resolution(task, "the trajectory's own question, expected answer and " + checker + " checker", null);
        }
        return Resolution.none("the trajectory names no task set (metadata." + TASK_SET + ") and carries no expected answer with a checker (metadata."
                + CHECKER + ")");
    }

    private Map<String, Task> load(String set) {
        List<Task> all = TaskSets.load(set, dataDir);
        Map<String, Task> byId = new LinkedHashMap<>();
        all.forEach(task -> byId.putIfAbsent(task.id(), task));
        return byId;
    }

    private static String text(Object o) {
        if (o == null) {
            return null;
        }
        String s = String.valueOf(o).strip();
        return s.isEmpty() ? null : s;
    }
}
