package dev.trace2skill.core.check;

/**
 * When a task names no checker: JSON structure when the expected answer is JSON, numbers with tolerance when it is a
 * number, otherwise the normalised-string match.
 */
public final class AutoChecker implements AnswerChecker {
    @Override
    public String name() {
        return "auto";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        String e = expected == null ? "" : expected.strip();
        if ((e.startsWith("{") || e.startsWith("[")) && JsonChecker.parse(e) != null) {
            return new JsonChecker().check(candidate, expected);
        }
        if (NumericChecker.parse(e).isPresent() && e.matches(".*\\d.*") && e.length() < 40) {
            return new NumericChecker().check(candidate, expected);
        }
        return new NormalizedChecker().check(candidate, expected);
    }
}
