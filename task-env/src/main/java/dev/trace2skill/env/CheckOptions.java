package dev.trace2skill.env;

import java.util.Locale;

/**
 * How a result is checked.
 *
 * @param mode           {@code official} (the benchmark's own reading of the task, so published numbers stay comparable)
 *                       or {@code lenient} (malformed task metadata normalised); only spreadsheets distinguish them
 * @param recalculate    recalculate a produced workbook's formulas before its cached values are compared
 * @param revealExpected put the expected answer (or the expected cell values) in the result; for comparison setups
 *                       only, never for a model that is still acting
 */
public record CheckOptions(Mode mode, boolean recalculate, boolean revealExpected) {
    public static final CheckOptions DEFAULT = new CheckOptions(Mode.OFFICIAL, true, false);

    public CheckOptions {
        mode = mode == null ? Mode.OFFICIAL : mode;
    }

    public CheckOptions withMode(Mode m) {
        return new CheckOptions(m, recalculate, revealExpected);
    }

    public CheckOptions revealing() {
        return new CheckOptions(mode, recalculate, true);
    }

    /** How malformed task metadata (a spreadsheet task's answer position) is read. */
    public enum Mode {
        OFFICIAL, LENIENT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code official} or {@code lenient} (any case); IllegalArgumentException otherwise. */
        public static Mode parse(String s) {
            if (s == null || s.isBlank()) {
                return OFFICIAL;
            }
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "official" -> OFFICIAL;
                case "lenient" -> LENIENT;
                default -> throw new IllegalArgumentException("mode must be official or lenient, not '" + s + "'");
            };
        }
    }
}
