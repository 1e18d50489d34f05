package dev.trace2skill.core.tasks;

import java.util.Map;

/**
 * One evaluation task with its ground truth.
 *
 * @param id       stable id within its task set
 * @param question what the agent is asked
 * @param expected the ground-truth answer, as the checker reads it
 * @param checker  the checker's name ({@code gsm8k}, {@code math}, {@code wikitq}, …)
 * @param context  extra inputs (e.g. {@code table}: the CSV path of a WikiTableQuestions task)
 */
public record Task(String id, String question, String expected, String checker, Map<String, String> context) {
    public Task {
        context = context == null ? Map.of() : Map.copyOf(context);
    }
}
