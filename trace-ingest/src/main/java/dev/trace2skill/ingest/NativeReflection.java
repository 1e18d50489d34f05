package dev.trace2skill.ingest;

import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.trajectory.Trajectory;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For native images: the records this service reads and writes with skill-core's Jackson mapper outside REST
 * (Kafka payloads, JSON columns). Quarkus registers REST bodies itself, not these; registerFullHierarchy takes their
 * component types along. deploy-tests NativeReflectionTest checks that every Json.read/Json.write target is listed.
 */
@RegisterForReflection(registerFullHierarchy = true, targets = {
        AnalysisJob.class, DraftRequest.class, PatchResult.class, RunConfig.class, RunEvent.class, RunStarted.class,
        SkillDrafted.class, SkillEvolved.class, Trajectory.class, RunRequest.class, IngestReport.class, PublishedJob.class,
        dev.trace2skill.core.pipeline.SkillSnapshot.class, com.fasterxml.jackson.databind.JsonNode.class})
final class NativeReflection {
    private NativeReflection() {
    }
}
