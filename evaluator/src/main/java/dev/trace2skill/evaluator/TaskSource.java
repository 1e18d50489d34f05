package dev.trace2skill.evaluator;

import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.eval.TaskSelection;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.service.Problem.FieldProblem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks an evaluation runs: a built-in set read from the data folder ({@code t2s.evaluator.data-dir}, default
 * {@code shared/data} beside the repository) or the request's inline tasks, then the range or the seeded sample. The
 * same request always selects the same tasks, so an evaluation resumed after a restart runs what it planned.
 */
@ApplicationScoped
public class TaskSource {
    public static final String INLINE = "inline";

    @Inject
    EvaluatorConfig config;

    private final Map<String, List<Task>> loaded = new ConcurrentHashMap<>();

    public Optional<Path> dataDir() {
        return config.dataDir().map(Path::of).filter(Files::isDirectory).or(SharedData::locate);
    }

    /** The selected tasks; throws IllegalArgumentException with the offending field in the message's first word. */
    public List<Task> select(EvaluationRequest r) {
        List<Task> all = INLINE.equals(r.taskset()) ? inline(r.tasks()) : builtIn(r.taskset());
        if (r.taskIds() != null) {
            java.util.Set<String> wanted = new java.util.HashSet<>(r.taskIds());
            List<Task> picked = all.stream().filter(t -> wanted.contains(t.id())).toList();
            if (picked.size() < wanted.size()) {
                java.util.Set<String> missing = new java.util.TreeSet<>(wanted);
                picked.forEach(t -> missing.remove(t.id()));
                throw new IllegalArgumentException("taskIds: the set has no task " + String.join(", ", missing.stream().limit(5).toList())
                        + (missing.size() > 5 ? " (and " + (missing.size() - 5) + " more)" : ""));
            }
            return picked;
        }
        if (r.range() != null) {
            return TaskSelection.range(all, r.range().from(), r.range().to());
        }
        if (r.sample() != null) {
            return TaskSelection.sample(all, r.sample().size(), r.sample().seed());
        }
        return all;
    }

    /** One task of a built-in set; IllegalArgumentException when the set is unknown or its data is missing. */
    public Optional<Task> builtInTask(String taskset, String id) {
        return builtIn(taskset).stream().filter(t -> t.id().equals(id)).findFirst();
    }

    private List<Task> builtIn(String name) {
        if (!TaskSets.NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown task set '" + name + "'; built in: " + TaskSets.NAMES + ", or inline");
        }
        Path dir = dataDir().orElseThrow(() -> new IllegalArgumentException(
                "task set '" + name + "' needs the data folder (t2s.evaluator.data-dir / T2S_DATA_DIR), which was not found"));
        try {
            return loaded.computeIfAbsent(dir + "|" + name, k -> TaskSets.load(name, dir));
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("task set '" + name + "' is not in the data folder " + dir + " (" + e.getCause() + ")");
        }
    }

    static List<Task> inline(List<EvaluationRequest.InlineTask> tasks) {
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("the inline task set needs tasks: [{id, question, expected, checker}]");
        }
        List<Task> out = new ArrayList<>(tasks.size());
        for (EvaluationRequest.InlineTask t : tasks) {
            out.add(new Task(t.id(), t.question(), t.expected(), t.checker() == null ? "auto" : t.checker(), t.context()));
        }
        return out;
    }

    /** Problems of inline tasks, by index: missing id or question, duplicate id, unknown checker. */
    static List<FieldProblem> problems(List<EvaluationRequest.InlineTask> tasks) {
        List<FieldProblem> out = new ArrayList<>();
        if (tasks == null) {
            return out;
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            EvaluationRequest.InlineTask t = tasks.get(i);
            String at = "tasks[" + i + "]";
            if (t == null) {
                out.add(FieldProblem.of(at, "must be an object"));
                continue;
            }
            if (t.id() == null || t.id().isBlank()) {
                out.add(FieldProblem.of(at + ".id", "is required"));
            } else if (!ids.add(t.id())) {
                out.add(FieldProblem.of(at + ".id", "duplicate task id '" + t.id() + "'"));
            }
            if (t.question() == null || t.question().isBlank()) {
                out.add(FieldProblem.of(at + ".question", "is required"));
            }
            if (t.checker() != null && !AnswerCheckers.names().contains(t.checker())) {
                out.add(FieldProblem.of(at + ".checker", "unknown checker '" + t.checker() + "'; known: " + AnswerCheckers.names()));
            }
            if (t.context() != null && t.context().containsKey("table")) {
                out.add(FieldProblem.of(at + ".context.table", "inline tasks cannot name a table file; use the wikitq task set"));
            }
        }
        return out;
    }
}
