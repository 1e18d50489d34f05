package dev.trace2skill.env.sheet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Recalculates every formula of a workbook file and writes the result, so that its cached values (what the checker
 * compares) are current. Reports the formula cells it could not evaluate; their cached values stay as they were.
 */
public interface Recalculator {
    /**
     * @param notEvaluated formula cells not evaluated, each as {@code Sheet!A1: why} (at most
     *                     {@link dev.trace2skill.env.CheckResult#MAX_LISTED}; {@code notEvaluatedCount} counts all)
     */
    record Recalculation(int formulas, List<String> notEvaluated, int notEvaluatedCount, long millis) {
        public Recalculation {
            notEvaluated = List.copyOf(notEvaluated);
        }
    }

    String name();

    /** Recalculates {@code in} into {@code out}; IOException when the workbook cannot be read or written. */
    Recalculation recalculate(Path in, Path out) throws IOException;
}
