package dev.trace2skill.core.trajectory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How large one trajectory may be, beyond its bytes in the upload: a record within the byte limit can still hold
 * millions of tiny steps, and every step becomes objects in memory (and a line in an analyst's prompt). Two kinds of
 * check, both before anything is stored:
 * <ul>
 *   <li>while the record streams in: at most {@link #maxTokens} JSON tokens (field names, values, brackets) per record,
 *       enforced by the JSON parser as it reads, so a record of 2.5 million small steps is refused after the first
 *       {@code maxTokens} tokens, never built; this bounds the memory of any one record, whatever its format;</li>
 *   <li>on the trajectory an importer made of the record: at most {@link #maxSteps} steps, {@link #maxStepChars}
 *       characters in one step (reasoning, tool name, arguments and observation together) and {@link #maxTools}
 *       distinct tool names.</li>
 * </ul>
 * A record over any of them is refused as too large (HTTP 413), naming the field and the limit.
 *
 * @param maxSteps     steps per trajectory
 * @param maxStepChars characters in one step
 * @param maxTools     distinct tool names per trajectory
 * @param maxTokens    JSON tokens per source record
 */
public record TrajectoryLimits(int maxSteps, int maxStepChars, int maxTools, long maxTokens) {
    public static final TrajectoryLimits DEFAULT = new TrajectoryLimits(10_000, 1_000_000, 1_000, 2_000_000);

    public TrajectoryLimits {
        if (maxSteps < 1 || maxStepChars < 1 || maxTools < 1 || maxTokens < 1) {
            throw new IllegalArgumentException("trajectory limits must be positive");
        }
    }

    /** The broken limits, each naming its field; empty when the trajectory is within all of them. */
    public List<FieldError> check(Trajectory t) {
        List<FieldError> errors = new ArrayList<>();
        List<Step> steps = t.steps();
        if (steps.size() > maxSteps) {
            errors.add(new FieldError("steps", steps.size() + " steps; the limit is " + maxSteps + " per trajectory"));
            return errors;
        }
        Set<String> tools = new HashSet<>();
        boolean toolsReported = false;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s == null) {
                continue;
            }
            long chars = length(s.reasoning()) + length(s.observation());
            if (s.action() != null) {
                chars += length(s.action().tool()) + (s.action().arguments() == null ? 0 : s.action().arguments().toString().length());
                if (s.action().tool() != null && tools.add(s.action().tool()) && tools.size() > maxTools && !toolsReported) {
                    errors.add(new FieldError("steps[" + i + "].action.tool", "more than " + maxTools
                            + " distinct tool names; the limit is " + maxTools + " per trajectory"));
                    toolsReported = true;
                }
            }
            if (chars > maxStepChars) {
                errors.add(new FieldError("steps[" + i + "]", chars + " characters; the limit is " + maxStepChars + " per step"));
                if (errors.size() >= 10) {
                    break;
                }
            }
        }
        return errors;
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }
}
