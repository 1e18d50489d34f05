package dev.trace2skill.core.eval;

import dev.trace2skill.core.tasks.Task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Which tasks of a set an evaluation runs: all, a range [from, to), or a seeded random sample (same seed, same tasks). */
public final class TaskSelection {
    private TaskSelection() {
    }

    public static List<Task> range(List<Task> tasks, int from, int to) {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("range must have 0 <= from < to, got [" + from + ", " + to + ")");
        }
        if (from >= tasks.size()) {
            throw new IllegalArgumentException("range starts at " + from + " but the set has " + tasks.size() + " tasks");
        }
        return List.copyOf(tasks.subList(from, Math.min(to, tasks.size())));
    }

    /** {@code size} distinct tasks drawn without replacement with {@code java.util.Random(seed)}, in the set's order. */
    public static List<Task> sample(List<Task> tasks, int size, long seed) {
        if (size <= 0) {
            throw new IllegalArgumentException("sample size must be positive, got " + size);
        }
        if (size >= tasks.size()) {
            return List.copyOf(tasks);
        }
        List<Integer> idx = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, size));
        Collections.sort(chosen);
        return chosen.stream().map(tasks::get).toList();
    }
}
