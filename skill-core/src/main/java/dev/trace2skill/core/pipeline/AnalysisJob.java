package dev.trace2skill.core.pipeline;

import dev.trace2skill.core.trajectory.Trajectory;

/**
 * One trajectory to analyse. It inlines the trajectory and the frozen S0, so a worker needs nothing else.
 *
 * @param jobId      run id + ":" + trajectory id (the Kafka key)
 * @param runId      run id
 * @param analyst    which analyst handles it
 * @param skill      the frozen S0
 * @param trajectory the trajectory
 * @param config     the run's configuration (mode, models, budget)
 * @param totalJobs  how many jobs the run published
 */
public record AnalysisJob(String jobId, String runId, AnalystKind analyst, SkillSnapshot skill, Trajectory trajectory,
                          RunConfig config, int totalJobs) {

    public String patchId() {
        return analyst.patchId(runId, trajectory.id());
    }
}
