package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.trajectory.TokenUsage;

/**
 * What one analysis produced: a patch, or a recorded failure. Either way the run counts the job as done.
 *
 * @param runId              run id
 * @param jobId              the job
 * @param patchId            run id + trajectory id + analyst kind
 * @param trajectoryId       the analysed trajectory
 * @param trajectorySuccess  the trajectory's outcome (provenance reports it)
 * @param analyst            who analysed it
 * @param status             PROPOSED or FAILED
 * @param verified           error analyses: whether the root cause was confirmed by the task's checker; null otherwise
 * @param patch              the patch (PROPOSED only); each edit's support is {trajectoryId}
 * @param failureReason      why it failed (FAILED only)
 * @param usage              model tokens spent on the analysis
 * @param modelCalls         model calls made
 * @param repairs            invalid outputs sent back for repair
 * @param latencyMillis      wall time of the analysis
 * @param worker             the worker instance that did it
 * @param taskKey            the task the trajectory ran ({@link dev.trace2skill.core.merge.TaskSupport#taskKey}): support
 *                           is counted over distinct tasks; null from workers that predate it (then the trajectory is a
 *                           task of its own)
 * @param groundTruth        whether the analyst could have verified its cause: the trajectory's task was found with
 *                           its ground truth and an environment to reproduce a corrected result in (or, with
 *                           {@code t2s.worker.reveal-expected}, the trajectory carried its expected answer); decides the
 *                           default {@code unverified} policy; null when unknown
 * @param promptVersion      content hash of the prompt templates the analyst was given ({@code Prompts.version}); null
 *                           for the offline miner and for results of workers that predate it
 * @param verification       error analyses: how the cause was or was not verified, in one line (the environment the
 *                           analysis replayed in, checks used, why it stayed unverified); null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PatchResult(String runId, String jobId, String patchId, String trajectoryId, boolean trajectorySuccess,
                          AnalystKind analyst, Status status, Boolean verified, Patch patch, String failureReason,
                          TokenUsage usage, int modelCalls, int repairs, long latencyMillis, String worker,
                          String taskKey, Boolean groundTruth, String promptVersion, String verification) {

    public PatchResult(String runId, String jobId, String patchId, String trajectoryId, boolean trajectorySuccess,
                       AnalystKind analyst, Status status, Boolean verified, Patch patch, String failureReason,
                       TokenUsage usage, int modelCalls, int repairs, long latencyMillis, String worker,
                       String taskKey, Boolean groundTruth) {
        this(runId, jobId, patchId, trajectoryId, trajectorySuccess, analyst, status, verified, patch, failureReason, usage,
                modelCalls, repairs, latencyMillis, worker, taskKey, groundTruth, null, null);
    }

    /** A result without task key or ground-truth flag (each trajectory then counts as its own task). */
    public PatchResult(String runId, String jobId, String patchId, String trajectoryId, boolean trajectorySuccess,
                       AnalystKind analyst, Status status, Boolean verified, Patch patch, String failureReason,
                       TokenUsage usage, int modelCalls, int repairs, long latencyMillis, String worker) {
        this(runId, jobId, patchId, trajectoryId, trajectorySuccess, analyst, status, verified, patch, failureReason, usage,
                modelCalls, repairs, latencyMillis, worker, null, null, null, null);
    }

    public PatchResult withTask(String newTaskKey, Boolean hasGroundTruth) {
        return new PatchResult(runId, jobId, patchId, trajectoryId, trajectorySuccess, analyst, status, verified, patch,
                failureReason, usage, modelCalls, repairs, latencyMillis, worker, newTaskKey, hasGroundTruth, promptVersion, verification);
    }

    /** The same result with the analyst's prompt version and its verification note. */
    public PatchResult withAnalysis(String newPromptVersion, String newVerification) {
        return new PatchResult(runId, jobId, patchId, trajectoryId, trajectorySuccess, analyst, status, verified, patch,
                failureReason, usage, modelCalls, repairs, latencyMillis, worker, taskKey, groundTruth, newPromptVersion, newVerification);
    }

    /** An error analysis that proposed a patch without confirming its cause. */
    @JsonIgnore
    public boolean unverified() {
        return analyst == AnalystKind.ERROR && proposed() && Boolean.FALSE.equals(verified);
    }

    public enum Status { PROPOSED, FAILED }

    @JsonIgnore
    public boolean proposed() {
        return status == Status.PROPOSED;
    }
}
