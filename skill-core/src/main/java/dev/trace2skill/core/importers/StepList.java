package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.ErrorRules;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;

import java.util.ArrayList;
import java.util.List;

/**
 * Steps under construction: observations arrive after the actions they answer. On {@link #build()} every observation
 * the source did not mark is checked by the import's {@link ErrorRules}; a step the source marked records
 * {@link ErrorRules#SOURCE}.
 */
final class StepList {
    private final ErrorRules rules;
    private final List<String> reasoning = new ArrayList<>();
    private final List<ToolCall> actions = new ArrayList<>();
    private final List<String> observations = new ArrayList<>();
    private final List<Boolean> errors = new ArrayList<>();

    StepList(ErrorRules rules) {
        this.rules = rules == null ? ErrorRules.DEFAULT : rules;
    }

    int add(String thought, ToolCall action, String observation) {
        reasoning.add(thought);
        actions.add(action);
        observations.add(observation);
        errors.add(null);
        return actions.size() - 1;
    }

    /**
     * @param error TRUE when the source marked the observation as an error; FALSE when it is not tool output (a
     *              person's reply) and must not be checked; null to let the rules decide
     */
    void observe(int step, String observation, Boolean error) {
        observations.set(step, observation);
        errors.set(step, error);
    }

    void markError(int step) {
        errors.set(step, Boolean.TRUE);
    }

    boolean awaitsObservation(int step) {
        return step >= 0 && step < observations.size() && observations.get(step) == null;
    }

    int size() {
        return actions.size();
    }

    void appendReasoning(int step, String text) {
        String r = reasoning.get(step);
        reasoning.set(step, r == null ? text : r + "\n" + text);
    }

    List<Step> build() {
        List<Step> out = new ArrayList<>(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            Boolean marked = errors.get(i);
            String rule = Boolean.TRUE.equals(marked) ? ErrorRules.SOURCE : marked == null ? rules.match(observations.get(i)) : null;
            out.add(new Step(reasoning.get(i), actions.get(i), observations.get(i), rule != null ? Boolean.TRUE : null, rule));
        }
        return out;
    }
}
