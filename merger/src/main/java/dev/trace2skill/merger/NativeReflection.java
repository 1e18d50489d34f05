package dev.trace2skill.merger;

import dev.trace2skill.core.merge.Evolution;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.NodeResult;
import dev.trace2skill.core.merge.Provenance;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For native images: the records this service reads and writes with skill-core's Jackson mapper outside REST
 * (Kafka payloads, JSON columns, the merge result parts it stores). Quarkus registers REST bodies itself, not these;
 * registerFullHierarchy takes their component types along. deploy-tests NativeReflectionTest checks that every
 * Json.read/Json.write target is listed.
 */
@RegisterForReflection(registerFullHierarchy = true, targets = {
        Evolution.Result.class, MergeGroup.class, NodeResult.class, Edit.class, PatchResult.class, Provenance.Line.class,
        RunConfig.class, RunEvent.class, RunStarted.class, SkillEvolved.class, SkillSnapshot.class,
        dev.trace2skill.core.patch.Patch.class})
final class NativeReflection {
    private NativeReflection() {
    }
}
