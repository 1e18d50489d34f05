package dev.trace2skill.core.pipeline;

import java.time.Instant;
import java.util.List;

/**
 * A run began: the frozen S0, the configuration, and exactly which jobs were published, so the merger knows when the
 * patch pool is complete.
 *
 * @param runId      run id
 * @param skill      the frozen S0
 * @param config     the run's configuration
 * @param jobIds     ids of the published jobs (run id + ":" + trajectory id)
 * @param startedAt  when the run started
 */
public record RunStarted(String runId, SkillSnapshot skill, RunConfig config, List<String> jobIds, Instant startedAt) {
    public RunStarted {
        jobIds = jobIds == null ? List.of() : List.copyOf(jobIds);
    }
}
