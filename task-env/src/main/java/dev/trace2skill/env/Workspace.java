package dev.trace2skill.env;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.ToolCall;

import java.util.List;

/**
 * One episode's private state in a {@link TaskEnvironment}: a copy of the task's inputs, the tools bound to that copy,
 * and the checker. Close it when the episode ends (temporary files and in-memory databases go with it).
 *
 * <p>Two kinds of user:
 * <ul>
 *   <li>the <b>acting agent</b> (the evaluator's skill user) gets {@link #tools()}: the domain tools and the domain's
 *       finishing tool ({@code submit_answer}, or {@code finish} for a workbook); after the episode the runner calls
 *       {@link #check(String, CheckOptions)};</li>
 *   <li>an <b>error analyst</b> replays an episode: {@link #replay(List)} re-runs the agent's state-changing tool calls
 *       (reconstructing its output), then {@link #analystTools(CheckOptions)} adds {@code check_output}, which answers
 *       pass or fail and where (mismatching cell addresses, "not a number"), never the expected answer unless
 *       {@link CheckOptions#revealExpected()}. Never give {@code analystTools} to the agent being evaluated.</li>
 * </ul>
 */
public interface Workspace extends AutoCloseable {
    Task task();

    /** The environment's domain name. */
    String domain();

    /** Objects with langchain4j {@code @Tool} methods for the acting model, including the domain's finishing tool. */
    List<Object> tools();

    /** The domain tools plus {@code check_output}, for an analyst replaying the episode. */
    List<Object> analystTools(CheckOptions options);

    /** Text added after the task's question for the model (e.g. where the table is loaded), or "". */
    String briefing();

    /** Whether the finishing tool was called ({@code submit_answer}, {@code finish}). */
    boolean finished();

    /** The answer given with {@code submit_answer}, or null (always null for a workbook). */
    String submittedAnswer();

    /**
     * Checks the episode's result with the task's checker.
     *
     * @param finalAnswer the final text answer (the submitted one, or the model's last reply) for text domains; ignored
     *                    for workbooks, whose result is the output written by {@code finish}
     */
    CheckResult check(String finalAnswer, CheckOptions options);

    /**
     * How many times tools changed the workspace's state so far (a write, an inserted or deleted row or column),
     * replayed calls included; always 0 for domains whose tools change nothing.
     */
    default int changes() {
        return 0;
    }

    /**
     * Read-only tools over a fresh, unchanged copy of the task's input, for an analyst comparing the replayed output
     * with what the agent started from (a workbook's {@code read_input_range}); none for domains whose input is not a
     * file the tools change.
     */
    default List<Object> inputTools() {
        return List.of();
    }

    /** Re-runs the state-changing calls of a recorded episode in order (read-only calls are skipped). */
    Replay replay(List<ToolCall> calls);

    /** What a replay did: calls re-run, calls skipped (read-only or unknown), and the calls that failed again. */
    record Replay(int replayed, int skipped, List<String> failures) {
        public Replay {
            failures = failures == null ? List.of() : List.copyOf(failures);
        }
    }

    @Override
    void close();
}
