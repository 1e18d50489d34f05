package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;

/**
 * An {@link AnalysisJob} as it is published: the same fields in the same order, with the parts that are already JSON
 * written as they are instead of being read and written again for every job. S0's snapshot and the run's configuration
 * are written once per run, and a trajectory's stored body is the JSON that skill-core's mapper wrote for it when it was
 * accepted ({@code trajectories.body}), so the worker reads exactly the job it would have read had the whole record
 * been serialised here (PublishedJobTest: the same bytes, the same job).
 *
 * @param skill      S0's snapshot as JSON
 * @param trajectory the stored trajectory's JSON, or null when it travels by reference
 * @param config     the run's configuration as JSON, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PublishedJob(String jobId, String runId, AnalystKind analyst, @JsonRawValue String skill, @JsonRawValue String trajectory,
                    @JsonRawValue String config, int totalJobs, AnalysisJob.TrajectoryRef trajectoryRef) {
}
