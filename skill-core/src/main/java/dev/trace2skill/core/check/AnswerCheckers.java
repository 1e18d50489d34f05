package dev.trace2skill.core.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checkers by name. */
public final class AnswerCheckers {
    private static final Map<String, AnswerChecker> BY_NAME = new LinkedHashMap<>();

    static {
        for (AnswerChecker c : List.of(new AutoChecker(), new ExactChecker(), new NormalizedChecker(), new NumericChecker(),
                new JsonChecker(), new Gsm8kChecker(), new MathChecker(), new WikiTqChecker())) {
            BY_NAME.put(c.name(), c);
        }
    }

    private AnswerCheckers() {
    }

    public static void register(AnswerChecker checker) {
        BY_NAME.put(checker.name(), checker);
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public static AnswerChecker byName(String name) {
        AnswerChecker c = BY_NAME.get(name == null ? "auto" : name);
        if (c == null) {
            throw new IllegalArgumentException("unknown checker '" + name + "'; known: " + String.join(", ", names()));
        }
        return c;
    }
}
