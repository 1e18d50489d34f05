package dev.trace2skill.env;

import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.tasks.Task;

import java.util.List;

/** Any task scored by an answer checker, with no domain tools: the agent reasons and submits its answer. */
public final class AnswerEnvironment implements TaskEnvironment {
    @Override
    public String domain() {
        return "answer";
    }

    @Override
    public boolean handles(Task task) {
        return AnswerCheckers.names().contains(task.checker() == null ? "auto" : task.checker());
    }

    @Override
    public Workspace open(Task task) {
        return new AnswerWorkspace(task, domain(), List.of());
    }
}
