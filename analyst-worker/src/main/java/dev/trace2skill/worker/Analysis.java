package dev.trace2skill.worker;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.trajectory.TokenUsage;

/**
 * What an analyst produced for one job.
 *
 * @param patch         the validated patch, or null when the analysis failed
 * @param failure       why it failed, or null
 * @param verified      error analyses: whether the task's checker accepted a result the analyst produced in the
 *                      task's environment; null for other analysts
 * @param usage         tokens spent
 * @param calls         model calls made
 * @param repairs       invalid outputs sent back for repair
 * @param promptVersion content hash of the prompt templates used, or null (the offline miner)
 * @param verification  error analyses: how the cause was or was not verified, in one line; null otherwise
 * @param groundTruth   error analyses: whether the analyst could have verified (an environment with a checker, or a
 *                      revealed expected answer); null to leave it to the trajectory's task
 */
public record Analysis(Patch patch, String failure, Boolean verified, TokenUsage usage, int calls, int repairs,
                       String promptVersion, String verification, Boolean groundTruth) {
    public Analysis(Patch patch, String failure, Boolean verified, TokenUsage usage, int calls, int repairs) {
        this(patch, failure, verified, usage, calls, repairs, null, null, null);
    }

    public static Analysis failed(String why, TokenUsage usage, int calls, int repairs) {
        return new Analysis(null, why, null, usage, calls, repairs);
    }

    public Analysis withPrompt(String version) {
        return new Analysis(patch, failure, verified, usage, calls, repairs, version, verification, groundTruth);
    }

    public Analysis withVerification(String note, boolean couldVerify) {
        return new Analysis(patch, failure, verified, usage, calls, repairs, promptVersion, note, couldVerify);
    }
}
