package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;

import java.util.ArrayList;
import java.util.List;

/** Steps under construction: observations arrive after the actions they answer. */
final class StepList {
    private final List<String> reasoning = new ArrayList<>();
    private final List<ToolCall> actions = new ArrayList<>();
    private final List<String> observations = new ArrayList<>();
    private final List<Boolean> errors = new ArrayList<>();

    int add(String thought, ToolCall action, String observation) {
        reasoning.add(thought);
        actions.add(action);
        observations.add(observation);
        errors.add(null);
        return actions.size() - 1;
    }

    void observe(int step, String observation, Boolean error) {
        observations.set(step, observation);
        errors.set(step, error);
    }

    boolean awaitsObservation(int step) {
        return step >= 0 && step < observations.size() && observations.get(step) == null;
    }

    int size() {
        return actions.size();
    }

    List<Step> build() {
        List<Step> out = new ArrayList<>(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            Boolean error = errors.get(i) != null ? errors.get(i) : Nodes.looksLikeError(observations.get(i)) ? Boolean.TRUE : null;
            out.add(new Step(reasoning.get(i), actions.get(i), observations.get(i), error));
        }
        return out;
    }
}
