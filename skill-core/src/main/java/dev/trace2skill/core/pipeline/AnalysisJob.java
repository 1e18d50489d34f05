package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.Trajectory;

/**
 * One trajectory to analyse, with the frozen S0. A trajectory up to the run's inline size travels inside the job, so a
 * worker needs nothing else; a larger one travels by reference ({@link TrajectoryRef}: its id, outcome and size), and
 * the worker reads it from trace-ingest before analysing — so no job is larger than what every topic allows.
 *
 * @param jobId         run id + ":" + trajectory id (the Kafka key)
 * @param runId         run id
 * @param analyst       which analyst handles it
 * @param skill         the frozen S0
 * @param trajectory    the trajectory, or null when it travels by reference
 * @param config        the run's configuration (mode, models, budget)
 * @param totalJobs     how many jobs the run published
 * @param trajectoryRef where to read the trajectory when it is not inline, else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalysisJob(String jobId, String runId, AnalystKind analyst, SkillSnapshot skill, Trajectory trajectory,
                          RunConfig config, int totalJobs, TrajectoryRef trajectoryRef) {

    /**
     * A stored trajectory a job refers to.
     *
     * @param id      its id in trace-ingest ({@code GET /v1/trajectories/{id}})
     * @param success whether it succeeded (what a failed job's result reports without reading it)
     * @param bytes   the size of its stored JSON
     */
    public record TrajectoryRef(String id, boolean success, long bytes) {
    }

    public AnalysisJob(String jobId, String runId, AnalystKind analyst, SkillSnapshot skill, Trajectory trajectory,
                       RunConfig config, int totalJobs) {
        this(jobId, runId, analyst, skill, trajectory, config, totalJobs, null);
    }

    public String trajectoryId() {
        return trajectory != null ? trajectory.id() : trajectoryRef == null ? null : trajectoryRef.id();
    }

    public boolean trajectorySuccess() {
        return trajectory != null ? trajectory.successful() : trajectoryRef != null && trajectoryRef.success();
    }

    /** Whether the worker has to read the trajectory before analysing. */
    public boolean byReference() {
        return trajectory == null && trajectoryRef != null;
    }

    /** The job with its trajectory read (the reference stays, for the record). */
    public AnalysisJob withTrajectory(Trajectory t) {
        return new AnalysisJob(jobId, runId, analyst, skill, t, config, totalJobs, trajectoryRef);
    }

    public String patchId() {
        return analyst.patchId(runId, trajectoryId());
    }
}
