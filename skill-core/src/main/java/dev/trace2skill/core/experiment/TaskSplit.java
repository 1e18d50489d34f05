package dev.trace2skill.core.experiment;

import dev.trace2skill.core.tasks.Task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * An experiment's tasks split into D_evolve (Stage 1 runs there, and the skill evolves from its trajectories) and
 * D_test (held out: S0 and S* are compared there), disjoint by task id.
 *
 * <p>The split depends only on the set of task ids and the seed, never on the order the pool was listed in: the ids
 * are sorted, shuffled with {@code java.util.Random(seed)}, the first {@code evolve} go to D_evolve and the next
 * {@code test} to D_test. Each part keeps the pool's order.
 *
 * @param seed   the seed of the shuffle
 * @param evolve task ids of D_evolve
 * @param test   task ids of D_test
 */
public record TaskSplit(long seed, List<String> evolve, List<String> test) {
    public TaskSplit {
        evolve = List.copyOf(evolve);
        test = List.copyOf(test);
        Set<String> seen = new HashSet<>(evolve);
        for (String id : test) {
            if (seen.contains(id)) {
                throw new IllegalArgumentException("task " + id + " is in both D_evolve and D_test");
            }
        }
    }

    /**
     * @param pool       the experiment's tasks (ids must be distinct)
     * @param evolveSize tasks for D_evolve, or null for half the pool (rounded down, at least 1)
     * @param testSize   tasks for D_test, or null for the rest
     * @param seed       the shuffle's seed
     * @throws IllegalArgumentException when ids repeat or the sizes do not fit the pool (the message names the field)
     */
    public static TaskSplit of(List<Task> pool, Integer evolveSize, Integer testSize, long seed) {
        Map<String, Integer> position = new HashMap<>();
        for (Task t : pool) {
            if (position.putIfAbsent(t.id(), position.size()) != null) {
                throw new IllegalArgumentException("tasks: task id '" + t.id() + "' appears twice; a split needs distinct ids");
            }
        }
        int n = pool.size();
        int evolve = evolveSize != null ? evolveSize : Math.max(1, n / 2);
        int test = testSize != null ? testSize : n - evolve;
        if (evolve < 1) {
            throw new IllegalArgumentException("split.evolve: must be at least 1");
        }
        if (test < 1) {
            throw new IllegalArgumentException("split.test: must be at least 1 (the pool has " + n + " tasks, " + evolve + " go to D_evolve)");
        }
        if (evolve + test > n) {
            throw new IllegalArgumentException("split: " + evolve + " + " + test + " tasks asked for, but the pool has " + n);
        }
        List<String> ids = new ArrayList<>(position.keySet());
        Collections.sort(ids);
        Collections.shuffle(ids, new Random(seed));
        List<String> e = new ArrayList<>(ids.subList(0, evolve));
        List<String> t = new ArrayList<>(ids.subList(evolve, evolve + test));
        e.sort((a, b) -> Integer.compare(position.get(a), position.get(b)));
        t.sort((a, b) -> Integer.compare(position.get(a), position.get(b)));
        return new TaskSplit(seed, e, t);
    }

    /** The tasks of D_evolve, from the pool, in the pool's order. */
    public List<Task> evolveTasks(List<Task> pool) {
        return pick(pool, evolve);
    }

    /** The tasks of D_test, from the pool, in the pool's order. */
    public List<Task> testTasks(List<Task> pool) {
        return pick(pool, test);
    }

    private static List<Task> pick(List<Task> pool, List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        return pool.stream().filter(t -> wanted.contains(t.id())).toList();
    }
}
