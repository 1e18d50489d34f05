package dev.trace2skill.env;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;

import java.util.function.Function;

/**
 * {@code check_output} for text-answer domains, for an error analyst replaying an episode: the task's checker judges a
 * candidate answer; the expected answer stays hidden unless the options reveal it. Counts its calls.
 */
public final class AnswerCheckTool {
    private final Function<String, CheckResult> checker;
    private int calls;
    private CheckResult last;

    public AnswerCheckTool(Function<String, CheckResult> checker) {
        this.checker = checker;
    }

    @Tool(name = "check_output", value = "Check a candidate final answer with the task's checker: PASS or FAIL (the expected answer is not shown)")
    public String checkOutput(@P("the candidate final answer") String answer) {
        return check(answer).describe();
    }

    /** The verdict itself (counted like a tool call). */
    public CheckResult check(String answer) {
        calls++;
        last = checker.apply(answer);
        return last;
    }

    public int calls() {
        return calls;
    }

    /** The last verdict, or null before the first call. */
    public CheckResult last() {
        return last;
    }
}
