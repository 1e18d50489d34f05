package dev.trace2skill.worker;

import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.SkillDrafted;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For native images: the records this service reads and writes with skill-core's Jackson mapper (Kafka payloads).
 * Quarkus registers REST bodies itself, not these; registerFullHierarchy takes their component types along.
 * deploy-tests NativeReflectionTest checks that every Json.read/Json.write target is listed.
 */
@RegisterForReflection(registerFullHierarchy = true, targets = {
        AnalysisJob.class, DraftRequest.class, PatchResult.class, SkillDrafted.class,
        dev.trace2skill.core.trajectory.Trajectory.class})
final class NativeReflection {
    private NativeReflection() {
    }

    /**
     * The task environments' tool objects an error analysis replays with (task-env is plain Java, so they are
     * registered here): model-client's ToolBox reads their {@code @Tool} methods and calls them reflectively.
     */
    @RegisterForReflection(targets = {dev.trace2skill.env.table.TableTools.class, dev.trace2skill.env.math.CalculatorTool.class,
            dev.trace2skill.env.sheet.WorkbookTools.class, dev.trace2skill.env.sheet.InputWorkbookTools.class,
            dev.trace2skill.env.ReplaySession.AnswerCheck.class, dev.trace2skill.env.ReplaySession.WorkbookCheck.class})
    static final class EnvironmentTools {
    }
}
