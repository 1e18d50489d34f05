package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.UnverifiedPolicy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's patch pool P as the merge sees it, built from the stored patch results: which patches enter it, what each
 * trajectory counts for ({@link TaskSupport}), and a record of everything that did not enter (failed analyses, jobs
 * without a result, unverified error patches dropped by the run's policy).
 *
 * @param patches    the pooled patches, in arrival order
 * @param outcomes   trajectory id → success, for every trajectory with a result
 * @param support    trajectory → task key and weight
 * @param missing    trajectories without a patch, each with the reason
 * @param unverified what the unverified policy did
 */
public record PatchPool(List<Patch> patches, Map<String, Boolean> outcomes, TaskSupport support, List<String> missing,
                        Unverified unverified) {

    /**
     * What became of the unverified error patches.
     *
     * @param policy       the run's policy as given (null: the default)
     * @param dropped      left out of the pool
     * @param kept         pooled as they are
     * @param downweighted pooled, their trajectories counting as half a task
     * @param details      one line per unverified patch: trajectory, what happened, why
     * @param pooled       the trajectories whose unverified patches were pooled (kept or downweighted)
     */
    public record Unverified(UnverifiedPolicy policy, int dropped, int kept, int downweighted, List<String> details,
                             List<String> pooled) {
        public int total() {
            return dropped + kept + downweighted;
        }

        /** The counts for run events and the run status (absent keys are zero). */
        public Map<String, Integer> counts() {
            Map<String, Integer> m = new LinkedHashMap<>();
            m.put("unverifiedDropped", dropped);
            m.put("unverifiedKept", kept);
            m.put("unverifiedDownweighted", downweighted);
            return m;
        }

        /** One line for the changelog and the run message. */
        public String summary() {
            return total() + " unverified error patch(es): " + dropped + " dropped, " + kept + " kept, " + downweighted
                    + " downweighted (policy " + (policy == null ? "default: drop when the task has ground truth, else keep" : policy.wire()) + ")";
        }
    }

    /**
     * @param results every stored result of the run that was not late
     * @param jobIds  the run's published jobs ({@code runId:trajectoryId}); those without a result are listed as missing
     * @param policy  the run's unverified policy, or null for the default
     */
    public static PatchPool of(List<PatchResult> results, List<String> jobIds, UnverifiedPolicy policy) {
        Map<String, Boolean> outcomes = new LinkedHashMap<>();
        Map<String, TaskSupport.Contributor> contributors = new LinkedHashMap<>();
        Set<String> answered = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<Patch> patches = new ArrayList<>();
        List<String> details = new ArrayList<>();
        List<String> pooled = new ArrayList<>();
        int dropped = 0;
        int kept = 0;
        int downweighted = 0;
        for (PatchResult r : results) {
            outcomes.put(r.trajectoryId(), r.trajectorySuccess());
            answered.add(r.jobId());
            String task = r.taskKey() != null && !r.taskKey().isBlank() ? r.taskKey() : "trajectory:" + r.trajectoryId();
            double weight = 1.0;
            if (!r.proposed() || r.patch() == null) {
                missing.add(r.trajectoryId() + ": analysis failed (" + r.failureReason() + ")");
                contributors.put(r.trajectoryId(), new TaskSupport.Contributor(task, weight));
                continue;
            }
            if (r.unverified()) {
                UnverifiedPolicy effective = effective(policy, r);
                String why = policy != null ? "policy " + policy.wire()
                        : Boolean.TRUE.equals(r.groundTruth()) ? "the task has a ground-truth answer the analyst did not get accepted (default: drop)"
                        : "the task has no ground truth to verify against (default: keep)";
                switch (effective) {
                    case DROP -> {
                        dropped++;
                        details.add(r.trajectoryId() + ": dropped (" + why + ")");
                        missing.add(r.trajectoryId() + ": unverified error patch dropped (" + why + ")");
                        contributors.put(r.trajectoryId(), new TaskSupport.Contributor(task, weight));
                        continue;
                    }
                    case KEEP -> {
                        kept++;
                        pooled.add(r.trajectoryId());
                        details.add(r.trajectoryId() + ": kept (" + why + ")");
                    }
                    case DOWNWEIGHT -> {
                        downweighted++;
                        pooled.add(r.trajectoryId());
                        weight = TaskSupport.DOWNWEIGHT;
                        details.add(r.trajectoryId() + ": kept, counted as " + TaskSupport.DOWNWEIGHT + " of a task (" + why + ")");
                    }
                }
            }
            contributors.put(r.trajectoryId(), new TaskSupport.Contributor(task, weight));
            patches.add(new Patch(r.patchId(), r.patch().edits()).withEditIds());
        }
        for (String job : jobIds) {
            if (!answered.contains(job)) {
                missing.add(job.substring(job.indexOf(':') + 1) + ": no result before the straggler timeout (the merge window closed)");
            }
        }
        return new PatchPool(List.copyOf(patches), outcomes, TaskSupport.of(contributors), List.copyOf(missing),
                new Unverified(policy, dropped, kept, downweighted, List.copyOf(details), List.copyOf(pooled)));
    }

    /** The policy applied to one unverified result: the run's, or by default drop when its task has ground truth. */
    static UnverifiedPolicy effective(UnverifiedPolicy policy, PatchResult r) {
        if (policy != null) {
            return policy;
        }
        return Boolean.TRUE.equals(r.groundTruth()) ? UnverifiedPolicy.DROP : UnverifiedPolicy.KEEP;
    }
}
