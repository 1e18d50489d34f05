package dev.trace2skill.env;

import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.check.Verdict;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.ToolCall;

import java.util.ArrayList;
import java.util.List;

/**
 * A workspace whose result is a text answer scored by the task's answer checker ({@code gsm8k}, {@code math},
 * {@code wikitq}, …): domain tools (none by default) plus {@code submit_answer}. Domains with state add their own
 * tools and release it in {@link #close()}.
 */
public class AnswerWorkspace implements Workspace {
    private final Task task;
    private final String domain;
    private final List<Object> domainTools;
    private final AnswerTool answer = new AnswerTool();

    public AnswerWorkspace(Task task, String domain, List<Object> domainTools) {
        this.task = task;
        this.domain = domain;
        this.domainTools = List.copyOf(domainTools);
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public String domain() {
        return domain;
    }

    @Override
    public List<Object> tools() {
        List<Object> out = new ArrayList<>(domainTools);
        out.add(answer);
        return out;
    }

    @Override
    public List<Object> analystTools(CheckOptions options) {
        List<Object> out = new ArrayList<>(domainTools);
        out.add(new AnswerCheckTool(a -> check(a, options)));
        return out;
    }

    @Override
    public String briefing() {
        return "";
    }

    @Override
    public boolean finished() {
        return answer.answer() != null;
    }

    @Override
    public String submittedAnswer() {
        return answer.answer();
    }

    @Override
    public CheckResult check(String finalAnswer, CheckOptions options) {
        CheckOptions o = options == null ? CheckOptions.DEFAULT : options;
        if (finalAnswer == null) {
            return new CheckResult(false, o.mode().label(), List.of(), List.of(), List.of("no answer was given"), "no answer",
                    o.revealExpected() ? task.expected() : null);
        }
        Verdict v = AnswerCheckers.byName(task.checker()).check(finalAnswer, task.expected());
        String detail = v.correct() ? "the " + task.checker() + " checker accepts the answer"
                : "the " + task.checker() + " checker does not accept the answer" + (v.normalizedCandidate() == null ? ""
                : " (read as '" + v.normalizedCandidate() + "')");
        return new CheckResult(v.correct(), o.mode().label(), List.of(), List.of(), List.of(),
                o.revealExpected() ? detail + "; " + v.reason() : detail, o.revealExpected() ? v.normalizedExpected() : null);
    }

    /** Text domains keep no state that tool calls change: nothing to re-run. */
    @Override
    public Replay replay(List<ToolCall> calls) {
        return new Replay(0, calls == null ? 0 : calls.size(), List.of());
    }

    @Override
    public void close() {
    }
}
