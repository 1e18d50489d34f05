package dev.trace2skill.worker;

import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.trajectory.TokenUsage;

/**
 * What an analyst produced for one job.
 *
 * @param patch     the validated patch, or null when the analysis failed
 * @param failure   why it failed, or null
 * @param verified  error analyses: whether the checker accepted a corrected answer first; null for other analysts
 * @param usage     tokens spent
 * @param calls     model calls made
 * @param repairs   invalid outputs sent back for repair
 */
public record Analysis(Patch patch, String failure, Boolean verified, TokenUsage usage, int calls, int repairs) {
    public static Analysis failed(String why, TokenUsage usage, int calls, int repairs) {
        return new Analysis(null, why, null, usage, calls, repairs);
    }
}
