package dev.trace2skill.env;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.env.sheet.WorkbookCheckTool;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An error analyst's replay of one failed episode in the task's own environment: a private workspace opened by the
 * same {@link TaskEnvironment} the evaluator's agent used, the agent's state-changing tool calls re-run on it (for a
 * workbook this rebuilds the agent's output on a fresh copy of the input), the domain's tools, and a gated
 * {@code check_output}.
 *
 * <p><b>Verified</b> means the task's checker accepted a result the analyst produced in this analysis with the
 * environment's tools: for a text answer, every value of the candidate occurs in what the analyst's own domain tool
 * calls answered ({@link ProducedValues}; the caller reports each tool answer with {@link #observe}); for a workbook,
 * the analyst changed the replayed workbook before the check. A candidate that was not produced that way is not sent
 * to the checker at all (and costs no check), so an answer copied or guessed is never confirmed. At most
 * {@code maxChecks} checks are made; the expected answer is never in a check's answer unless the options reveal it
 * (for comparison setups, which also lift the production rule).
 */
public final class ReplaySession implements AutoCloseable {
    private final Workspace workspace;
    private final CheckOptions options;
    private final int maxChecks;
    private final Workspace.Replay replay;
    private final List<Object> domainTools = new ArrayList<>();
    private final Set<String> domainToolNames = new LinkedHashSet<>();
    private final Object underlyingCheck;
    private final int changesAfterReplay;
    private final ProducedValues produced = new ProducedValues();
    private int checks;
    private boolean verified;
    private CheckResult lastCheck;
    private String lastRefusal;

    private ReplaySession(Workspace workspace, List<ToolCall> recorded, CheckOptions options, int maxChecks) {
        this.workspace = workspace;
        this.options = options == null ? CheckOptions.DEFAULT : options;
        this.maxChecks = Math.max(0, maxChecks);
        Object check = null;
        for (Object o : workspace.analystTools(this.options)) {
            if (o instanceof AnswerCheckTool || o instanceof WorkbookCheckTool) {
                check = o;
            } else {
                domainTools.add(o);
                ToolSpecifications.toolSpecificationsFrom(o).stream().map(ToolSpecification::name).forEach(domainToolNames::add);
            }
        }
        this.underlyingCheck = check;
        this.replay = workspace.replay(recorded);
        this.changesAfterReplay = workspace.changes();
    }

    /**
     * Opens the task's workspace and replays the recorded calls.
     *
     * @throws EnvironmentException when the task's inputs cannot be set up, or when its environment has no tools to
     *                              reproduce a result with (a plain-answer task) or no checker with a ground truth
     */
    public static ReplaySession open(TaskEnvironments environments, Task task, List<ToolCall> recorded, CheckOptions options, int maxChecks) {
        Workspace w = environments.open(task);
        try {
            ReplaySession s = new ReplaySession(w, recorded, options, maxChecks);
            if (s.domainTools.isEmpty()) {
                throw new EnvironmentException("the " + w.domain() + " environment of task " + task.id() + " has no tools to reproduce a result with");
            }
            if (s.underlyingCheck == null || (!"spreadsheet".equals(w.domain()) && (task.expected() == null || task.expected().isBlank()))) {
                throw new EnvironmentException("task " + task.id() + " has no ground truth to check a result against");
            }
            return s;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    public String domain() {
        return workspace.domain();
    }

    public Task task() {
        return workspace.task();
    }

    /** What re-running the agent's recorded calls did. */
    public Workspace.Replay replay() {
        return replay;
    }

    /** Whether results are workbooks (check_output takes no argument) rather than text answers. */
    public boolean workbook() {
        return underlyingCheck instanceof WorkbookCheckTool;
    }

    /** The domain's tools (for a workbook also the input's reading tools) and the gated {@code check_output}. */
    public List<Object> tools() {
        List<Object> out = new ArrayList<>(domainTools);
        out.addAll(workspace.inputTools());
        out.add(workbook() ? new WorkbookCheck() : new AnswerCheck());
        return out;
    }

    /** The names of the domain's tools, whose answers count as produced. */
    public Set<String> domainToolNames() {
        return Set.copyOf(domainToolNames);
    }

    /** Records a tool's answer; only the domain's own tools (e.g. {@code run_sql}, {@code calculate}) produce values. */
    public void observe(String tool, String answer) {
        if (domainToolNames.contains(tool)) {
            produced.add(answer);
        }
    }

    public synchronized boolean verified() {
        return verified;
    }

    /** Checks made (refused candidates are not counted). */
    public synchronized int checks() {
        return checks;
    }

    public int maxChecks() {
        return maxChecks;
    }

    /** The last check's verdict, or null. */
    public synchronized CheckResult lastCheck() {
        return lastCheck;
    }

    /** One line for the patch's record: where it replayed, how many checks, and how it ended. */
    public synchronized String summary() {
        String where = "replayed in the " + domain() + " environment of task " + task().id()
                + (replay.replayed() > 0 ? " (" + replay.replayed() + " recorded calls re-run" + (replay.failures().isEmpty() ? "" : ", "
                + replay.failures().size() + " failed again") + ")" : "");
        if (verified) {
            return where + "; verified: the checker accepted a result the analyst produced (" + checks + " of " + maxChecks + " checks)";
        }
        return where + "; not verified: " + (checks == 0 ? "no result of its own was checked" + (lastRefusal == null ? "" : " (" + lastRefusal + ")")
                : checks + " of " + maxChecks + " checks, none accepted");
    }

    private synchronized String gate(CheckCall call) {
        if (checks >= maxChecks) {
            return "NO CHECKS LEFT: this analysis had " + maxChecks + " checks" + (verified ? " and one passed" : ", none passed")
                    + ". Propose your patch now" + (verified ? "." : " (it will be recorded as unverified).");
        }
        if (!options.revealExpected()) {
            String refusal = call.notProduced();
            if (refusal != null) {
                lastRefusal = refusal;
                return "NOT CHECKED (no check used): " + refusal;
            }
        }
        checks++;
        lastCheck = call.check();
        if (lastCheck.passed()) {
            verified = true;
        }
        int left = maxChecks - checks;
        return lastCheck.describe() + "\n" + (lastCheck.passed()
                ? "VERIFIED: the task's checker accepts a result you produced with the task's tools. Propose your patch."
                : left + (left == 1 ? " check" : " checks") + " left. Reconsider the root cause before checking again.");
    }

    private interface CheckCall {
        /** Why the candidate is not the analyst's own result, or null when it is. */
        String notProduced();

        CheckResult check();
    }

    /** {@code check_output} for text answers. */
    public final class AnswerCheck {
        @Tool(name = "check_output", value = "Check a corrected final answer that your own tool calls produced with the task's checker: "
                + "PASS or FAIL (the expected answer is not shown); a limited number of checks per analysis")
        public String checkOutput(@P("the corrected final answer, as the task expects it; several values separated by |") String answer) {
            return gate(new CheckCall() {
                @Override
                public String notProduced() {
                    if (answer == null || answer.isBlank()) {
                        return "give the corrected answer to check.";
                    }
                    List<String> missing = produced.missing(answer);
                    if (missing.isEmpty()) {
                        return null;
                    }
                    return "the value" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing.stream().map(v -> "'" + v + "'").toList())
                            + " did not come from your own tool calls in this analysis. Reproduce the corrected result with the task's tools ("
                            + String.join(", ", domainToolNames) + ") and check a value they returned.";
                }

                @Override
                public CheckResult check() {
                    return ((AnswerCheckTool) underlyingCheck).check(answer);
                }
            });
        }
    }

    /** {@code check_output} for workbooks. */
    public final class WorkbookCheck {
        @Tool(name = "check_output", value = "Save the workbook as it is now and check it with the task's checker: PASS, or FAIL with the "
                + "addresses of the cells that differ (the expected values are not shown); a limited number of checks per analysis")
        public String checkOutput() {
            return gate(new CheckCall() {
                @Override
                public String notProduced() {
                    return workspace.changes() > changesAfterReplay ? null
                            : "the workbook is still the agent's output as replayed; correct it with the workbook tools first (write_range, "
                            + "insert_rows, delete_rows, insert_columns, delete_columns), then check.";
                }

                @Override
                public CheckResult check() {
                    return ((WorkbookCheckTool) underlyingCheck).check();
                }
            });
        }
    }

    @Override
    public void close() {
        workspace.close();
    }
}
