package dev.trace2skill.env.math;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.env.AnswerWorkspace;
import dev.trace2skill.env.TaskEnvironment;
import dev.trace2skill.env.Workspace;

import java.util.List;
import java.util.Set;

/**
 * Math word problems and competition math ({@code gsm8k}, {@code math} checkers): the agent gets a safe arithmetic
 * {@code calculate} tool and submits the final answer, scored by the task's checker.
 */
public final class MathEnvironment implements TaskEnvironment {
    static final Set<String> CHECKERS = Set.of("gsm8k", "math");

    @Override
    public String domain() {
        return "math";
    }

    @Override
    public boolean handles(Task task) {
        return CHECKERS.contains(task.checker());
    }

    @Override
    public Workspace open(Task task) {
        return new AnswerWorkspace(task, domain(), List.of(new CalculatorTool()));
    }
}
