package dev.trace2skill.core.merge;

import dev.trace2skill.core.trajectory.Trajectory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Support counted over distinct tasks. An edit's support is the set of trajectories it is drawn from; several trials
 * of one task are not independent evidence, so prevalence is the number of distinct <em>tasks</em> among them, with
 * the trajectory count beside it ("supported by 4 tasks (9 trajectories)").
 *
 * <p>Each trajectory of a run has a task key ({@link #taskKey}) and a weight: 1, or {@link #DOWNWEIGHT} for an
 * error trajectory whose analysis was not verified under the run's {@code unverified: downweight} policy. A task
 * counts with the largest weight among the trajectories of it that support the edit, so a task backed only by
 * unverified error analyses counts as half a task, and one verified or successful trajectory of the task makes it a
 * whole one. A trajectory this map does not know is a task of its own with weight 1 (the per-trajectory count).
 */
public final class TaskSupport {
    /** What an unverified error trajectory counts for under {@code unverified: downweight}. */
    public static final double DOWNWEIGHT = 0.5;

    /** Every trajectory its own task: the count before tasks were known. */
    public static final TaskSupport PER_TRAJECTORY = new TaskSupport(Map.of());

    private final Map<String, Contributor> byTrajectory;

    /** @param task the task key; @param weight 1, or {@link #DOWNWEIGHT} */
    public record Contributor(String task, double weight) {
    }

    /**
     * One edit's support.
     *
     * @param tasks        distinct tasks
     * @param weighted     the tasks' summed weights (equal to {@code tasks} unless some are downweighted): what
     *                     {@code minSupport} is compared with
     * @param trajectories distinct trajectories
     */
    public record Count(int tasks, double weighted, int trajectories) {
        public boolean downweighted() {
            return weighted < tasks;
        }

        /** At least {@code minSupport} tasks (weighted). */
        public boolean atLeast(int minSupport) {
            return weighted + 1e-9 >= minSupport;
        }

        /** "4 tasks (9 trajectories)", or "2.5 tasks (6 trajectories; 3 tasks, unverified-only ones counted as 0.5)". */
        public String describe() {
            String t = trajectories + (trajectories == 1 ? " trajectory" : " trajectories");
            if (!downweighted()) {
                return tasks + (tasks == 1 ? " task" : " tasks") + " (" + t + ")";
            }
            return format(weighted) + " tasks (" + t + "; " + tasks + (tasks == 1 ? " task" : " tasks")
                    + ", those backed only by unverified error analyses counted as " + format(DOWNWEIGHT) + ")";
        }

        private static String format(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
        }
    }

    private TaskSupport(Map<String, Contributor> byTrajectory) {
        this.byTrajectory = Map.copyOf(byTrajectory);
    }

    public static TaskSupport of(Map<String, Contributor> byTrajectory) {
        return new TaskSupport(byTrajectory);
    }

    /** Trajectory id → task key, each with weight 1. */
    public static TaskSupport ofTasks(Map<String, String> taskByTrajectory) {
        Map<String, Contributor> m = new LinkedHashMap<>();
        taskByTrajectory.forEach((t, task) -> m.put(t, new Contributor(task == null ? t : task, 1.0)));
        return new TaskSupport(m);
    }

    /** The task keys of trajectories held in memory (the offline miner's one-process path). */
    public static TaskSupport ofTrajectories(Collection<Trajectory> trajectories) {
        Map<String, String> m = new LinkedHashMap<>();
        trajectories.forEach(t -> m.put(t.id(), taskKey(t)));
        return ofTasks(m);
    }

    /**
     * The task a trajectory ran: {@code task:<task id>} when known, else {@code query:<hash of the normalised query>}
     * (case, whitespace and trailing punctuation ignored), else {@code trajectory:<id>}.
     */
    public static String taskKey(Trajectory t) {
        return taskKey(t.taskId(), t.query(), t.id());
    }

    public static String taskKey(String taskId, String query, String trajectoryId) {
        if (taskId != null && !taskId.isBlank()) {
            return "task:" + taskId.strip();
        }
        String q = normalise(query);
        if (!q.isEmpty()) {
            return "query:" + sha256(q).substring(0, 16);
        }
        return "trajectory:" + trajectoryId;
    }

    static String normalise(String query) {
        if (query == null) {
            return "";
        }
        return query.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("[\\s.?!:;,]+$", "");
    }

    public Contributor contributor(String trajectoryId) {
        Contributor c = byTrajectory.get(trajectoryId);
        return c != null ? c : new Contributor("trajectory:" + trajectoryId, 1.0);
    }

    public String task(String trajectoryId) {
        return contributor(trajectoryId).task();
    }

    /** The support of a set of trajectories. */
    public Count count(Collection<String> trajectoryIds) {
        Map<String, Double> tasks = new HashMap<>();
        for (String id : trajectoryIds) {
            Contributor c = contributor(id);
            tasks.merge(c.task(), c.weight(), Math::max);
        }
        double weighted = tasks.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Count(tasks.size(), weighted, new java.util.HashSet<>(trajectoryIds).size());
    }

    /** Distinct tasks among the given trajectories whose outcome is {@code success}. */
    public int tasks(Collection<String> trajectoryIds, Map<String, Boolean> outcomes, boolean success) {
        java.util.Set<String> tasks = new java.util.HashSet<>();
        for (String id : trajectoryIds) {
            if (Boolean.valueOf(success).equals(outcomes.get(id))) {
                tasks.add(task(id));
            }
        }
        return tasks.size();
    }

    /** Distinct tasks among all the trajectories this map knows (or the given ones). */
    public int distinctTasks(Collection<String> trajectoryIds) {
        return count(trajectoryIds).tasks();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
