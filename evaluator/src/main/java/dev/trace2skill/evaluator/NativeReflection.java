package dev.trace2skill.evaluator;

import dev.trace2skill.core.pipeline.EvalResult;
import dev.trace2skill.core.pipeline.EvalTask;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.trajectory.Trajectory;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For native images: the records this service reads and writes with skill-core's Jackson mapper outside REST (Kafka
 * payloads, JSON columns). Quarkus registers REST bodies itself, not these; registerFullHierarchy takes their
 * component types along. deploy-tests checks that every Json.read/Json.write target is listed.
 */
@RegisterForReflection(registerFullHierarchy = true, targets = {
        EvaluationRequest.class, EvalResult.class, EvalTask.class, SkillSnapshot.class, Trajectory.class, ExperimentRequest.class,
        dev.trace2skill.core.experiment.TaskSplit.class, com.fasterxml.jackson.databind.JsonNode.class})
final class NativeReflection {
    private NativeReflection() {
    }

    /**
     * The task environments' tool objects (task-env is plain Java, so they are registered here): model-client's ToolBox
     * reads their {@code @Tool} methods and calls them reflectively, also in a native image.
     */
    @RegisterForReflection(targets = {dev.trace2skill.env.table.TableTools.class, dev.trace2skill.env.math.CalculatorTool.class,
            dev.trace2skill.env.sheet.WorkbookTools.class, dev.trace2skill.env.sheet.WorkbookCheckTool.class,
            dev.trace2skill.env.AnswerTool.class, dev.trace2skill.env.AnswerCheckTool.class})
    static final class EnvironmentTools {
    }
}
