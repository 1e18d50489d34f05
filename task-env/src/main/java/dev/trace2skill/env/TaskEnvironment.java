package dev.trace2skill.env;

import dev.trace2skill.core.tasks.Task;

/**
 * One domain's episodes (math, table QA, spreadsheets, plain answers): for a task it opens a private {@link Workspace}
 * with the domain's tools and its checker. The evaluator's agent and the error analyst open the same environment, so an
 * analyst's "verified" fix is one the task's own checker accepts, and the expected answer is never shown to a model.
 *
 * <p>Implementations are thread-safe and hold no per-episode state; everything an episode changes lives in its
 * workspace and is gone when the workspace is closed.
 */
public interface TaskEnvironment {
    /** The domain's name, e.g. {@code math}, {@code table}, {@code spreadsheet}, {@code answer}. */
    String domain();

    /** Whether this environment runs the task (by its checker and context). */
    boolean handles(Task task);

    /**
     * A fresh workspace for one episode: the task's inputs copied or loaded privately, its tools bound to that copy.
     *
     * @throws EnvironmentException when the task's inputs are missing or unreadable
     */
    Workspace open(Task task);
}
