package dev.trace2skill.env;

import java.util.List;

/**
 * A checker's verdict on a produced result, saying where it fails without saying what was expected.
 *
 * @param passed       whether the task's checker accepts the result
 * @param mode         the check mode used ({@code official} or {@code lenient})
 * @param mismatches   where the result differs: cell addresses for a workbook (e.g. {@code Sheet1!B7}), empty for a
 *                     text answer; bounded ({@link #MAX_LISTED}), the rest counted in {@code detail}
 * @param notEvaluated formula cells that recalculation could not evaluate (their cached values were compared as they
 *                     were), with the reason
 * @param problems     why the result could not be compared at all or in part (a missing sheet, no output written,
 *                     an answer position that cannot be read in this mode)
 * @param detail       one line for people and models: what was compared and how it went
 * @param expected     the expected answer or the expected cell values, only with {@code revealExpected}; else null
 */
public record CheckResult(boolean passed, String mode, List<String> mismatches, List<String> notEvaluated, List<String> problems,
                          String detail, String expected) {
    /** At most this many mismatches and not-evaluated cells are listed. */
    public static final int MAX_LISTED = 200;

    public CheckResult {
        mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
        notEvaluated = notEvaluated == null ? List.of() : List.copyOf(notEvaluated);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /** The observation a model sees (check_output): pass or fail, and where; never the expected values unless revealed. */
    public String describe() {
        StringBuilder s = new StringBuilder(passed ? "PASS" : "FAIL").append(" (").append(mode).append(" check)");
        if (detail != null && !detail.isBlank()) {
            s.append(": ").append(detail);
        }
        if (!problems.isEmpty()) {
            s.append("\nproblems: ").append(String.join("; ", problems));
        }
        if (!mismatches.isEmpty()) {
            s.append("\nmismatching cells: ").append(String.join(", ", mismatches));
        }
        if (!notEvaluated.isEmpty()) {
            s.append("\nnot evaluated: ").append(String.join("; ", notEvaluated));
        }
        if (expected != null) {
            s.append("\nexpected: ").append(expected);
        }
        return s.toString();
    }
}
