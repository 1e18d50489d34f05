package dev.trace2skill.worker;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.trace2skill.core.check.AnswerChecker;
import dev.trace2skill.core.check.Verdict;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code check_answer} for {@code t2s.worker.reveal-expected=true} when the trajectory has no environment but carries
 * its expected answer: the behaviour from before answers were hidden, for comparison with setups that show the answer.
 * A candidate is compared with the expected answer by the trajectory's checker, and accepted means verified, however
 * the analyst came by it. At most {@code max-checks} calls.
 */
@RegisterForReflection // ToolBox reads the @Tool methods and calls them reflectively, also in a native image
public final class RevealedAnswerCheck implements ErrorAnalysisTools.Verification {
    private final AnswerChecker checker;
    private final String expected;
    private final int maxChecks;
    private int checks;
    private boolean accepted;

    RevealedAnswerCheck(AnswerChecker checker, String expected, int maxChecks) {
        this.checker = checker;
        this.expected = expected;
        this.maxChecks = maxChecks;
    }

    @Tool(name = "check_answer", value = "Check a corrected final answer against the task's expected answer with the task's checker")
    public synchronized String checkAnswer(@P("the corrected final answer") String candidate) {
        if (checks >= maxChecks) {
            return "NO CHECKS LEFT: this analysis had " + maxChecks + " checks. Propose your patch now.";
        }
        checks++;
        Verdict v = checker.check(candidate, expected);
        if (v.correct()) {
            accepted = true;
            return "ACCEPTED by the " + checker.name() + " checker (" + v.reason() + "). Your root cause is verified; propose the patch.";
        }
        return "REJECTED by the " + checker.name() + " checker: " + v.reason() + " (compared '" + v.normalizedCandidate()
                + "' with the expected '" + v.normalizedExpected() + "'). Reconsider the root cause.";
    }

    @Override
    public synchronized boolean verified() {
        return accepted;
    }

    @Override
    public synchronized boolean stillPossible() {
        return checks < maxChecks;
    }

    @Override
    public String refusal() {
        return "REFUSED: verify the root cause first: call check_answer with the answer the agent should have given, "
                + "until the checker accepts it (" + (maxChecks - checks()) + " checks left).";
    }

    @Override
    public synchronized int checks() {
        return checks;
    }

    @Override
    public synchronized String summary() {
        return "expected answer revealed (no environment); " + (accepted
                ? "verified: the " + checker.name() + " checker accepted a candidate (" + checks + " of " + maxChecks + " checks)"
                : "not verified: " + checks + " of " + maxChecks + " checks, none accepted");
    }
}
