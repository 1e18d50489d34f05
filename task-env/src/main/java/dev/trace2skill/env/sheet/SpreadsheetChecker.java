package dev.trace2skill.env.sheet;

import dev.trace2skill.env.CheckOptions.Mode;
import dev.trace2skill.env.CheckResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The SpreadsheetBench checker: for every range of the task's answer position, the output workbook's cell values are
 * compared with the golden workbook's cached values cell by cell ({@link CellComparison}), both read as the benchmark
 * reads them ({@link XlsxValues}); a sheet missing from the output fails. {@link Mode#OFFICIAL} reads the answer
 * position exactly as the benchmark's evaluation does, {@link Mode#LENIENT} normalises malformed positions
 * ({@link AnswerPosition}). The verdict says where the output differs (cell addresses), never what was expected,
 * unless asked to reveal it.
 */
public final class SpreadsheetChecker {
    private SpreadsheetChecker() {
    }

    /**
     * The outcome of one comparison.
     *
     * @param mismatches    addresses of differing cells (at most {@link CheckResult#MAX_LISTED})
     * @param mismatchCount all differing cells
     * @param problems      what could not be compared (unreadable workbook, missing sheet, unreadable range)
     * @param revealed      for each listed mismatch, the expected and the produced value (only when asked)
     */
    public record Outcome(boolean passed, List<String> mismatches, int mismatchCount, List<String> problems, long cellsCompared,
                          List<String> revealed) {
    }

    public static Outcome check(Path golden, Path output, String answerPosition, String answerSheet, Mode mode, boolean reveal) {
        Run run = new Run(reveal);
        if (answerPosition == null) {
            run.problem("the task has no answer position");
            return run.outcome();
        }
        Set<String> wanted = new HashSet<>();
        boolean ignoreCase = mode == Mode.LENIENT;
        if (mode == Mode.OFFICIAL) {
            AnswerPosition.official(answerPosition).stream().filter(p -> p.sheet() != null).forEach(p -> wanted.add(p.sheet()));
        } else {
            AnswerPosition.lenient(answerPosition, answerSheet).forEach(p -> p.sheets().forEach(s -> wanted.add(s.strip().toLowerCase(Locale.ROOT))));
        }
        java.util.function.Predicate<String> keep = n -> wanted.contains(ignoreCase ? n.strip().toLowerCase(Locale.ROOT) : n);
        XlsxValues g = run.read("golden", golden, firstOr(keep));
        if (g == null) {
            return run.outcome();
        }
        String first = g.sheetNames().isEmpty() ? null : g.sheetNames().get(0);
        XlsxValues o = run.read("output", output, keep.or(n -> first != null && (ignoreCase ? n.equalsIgnoreCase(first) : n.equals(first))));
        if (o == null) {
            return run.outcome();
        }
        return compare(run, g, o, answerPosition, answerSheet, mode);
    }

    /** Compares two workbooks already read (with at least the sheets the position names, and the golden's first). */
    static Outcome compare(XlsxValues g, XlsxValues o, String answerPosition, String answerSheet, Mode mode, boolean reveal) {
        Run run = new Run(reveal);
        if (answerPosition == null) {
            run.problem("the task has no answer position");
            return run.outcome();
        }
        return compare(run, g, o, answerPosition, answerSheet, mode);
    }

    private static Outcome compare(Run run, XlsxValues g, XlsxValues o, String answerPosition, String answerSheet, Mode mode) {
        String first = g.sheetNames().isEmpty() ? null : g.sheetNames().get(0);
        if (mode == Mode.OFFICIAL) {
            for (AnswerPosition.OfficialPart p : AnswerPosition.official(answerPosition)) {
                official(run, p, g, o, first);
            }
        } else {
            for (AnswerPosition.LenientPart p : AnswerPosition.lenient(answerPosition, answerSheet)) {
                lenient(run, p, g, o, first);
            }
        }
        return run.outcome();
    }

    /**
     * Whether the benchmark's reader could load the workbook at all (every sheet's cells are read, none kept);
     * IllegalArgumentException saying why not.
     */
    public static void validate(Path workbook) {
        try {
            XlsxValues.read(workbook, n -> false);
        } catch (XlsxValues.UnreadableWorkbookException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Reads a workbook as the benchmark does, keeping every sheet; for comparing one workbook several times. */
    static XlsxValues readAll(Path file) throws XlsxValues.UnreadableWorkbookException {
        return XlsxValues.read(file, n -> true);
    }

    /** Keeps the first sheet in workbook order and the sheets the test accepts. */
    private static java.util.function.Predicate<String> firstOr(java.util.function.Predicate<String> test) {
        boolean[] first = {true};
        return name -> {
            boolean f = first[0];
            first[0] = false;
            return f || test.test(name);
        };
    }

    private static void official(Run run, AnswerPosition.OfficialPart p, XlsxValues g, XlsxValues o, String first) {
        if (p.error() != null) {
            run.problem("answer position part '" + p.raw() + "' cannot be read: " + p.error());
            return;
        }
        String name = p.sheet() != null ? p.sheet() : first;
        if (name == null) {
            run.problem("the golden workbook has no sheets");
            return;
        }
        if (!o.sheetNames().contains(name)) {
            run.problem("worksheet '" + name + "' not found in the output");
            return;
        }
        XlsxValues.Sheet gs = g.sheet(name);
        XlsxValues.Sheet os = o.sheet(name);
        if (gs == null) {
            run.problem("worksheet '" + name + "' is not in the golden workbook");
            return;
        }
        if (gs.chartsheet || os == null || os.chartsheet) {
            run.problem("'" + name + "' is a chart sheet, which has no cells");
            return;
        }
        for (String cellName : p.names()) {
            int[] rc = AnswerPosition.openpyxlCell(cellName);
            if (rc == null) {
                run.problem("'" + cellName + "' (from '" + p.raw() + "') is not a single cell");
                return;
            }
            run.compare(name, rc[0], rc[1], gs, os);
        }
    }

    private static void lenient(Run run, AnswerPosition.LenientPart p, XlsxValues g, XlsxValues o, String first) {
        if (p.error() != null) {
            run.problem("answer position part '" + p.raw() + "' cannot be read: " + p.error());
            return;
        }
        List<String> sheets = p.sheets().isEmpty() ? (first == null ? List.of() : List.of(first)) : p.sheets();
        if (sheets.isEmpty()) {
            run.problem("the golden workbook has no sheets");
            return;
        }
        for (String wanted : sheets) {
            String name = resolve(g.sheetNames(), wanted);
            if (name == null) {
                run.problem("worksheet '" + wanted + "' is not in the golden workbook");
                continue;
            }
            String outName = resolve(o.sheetNames(), name);
            if (outName == null) {
                run.problem("worksheet '" + name + "' not found in the output");
                continue;
            }
            XlsxValues.Sheet gs = g.sheet(name);
            XlsxValues.Sheet os = o.sheet(outName);
            if (gs == null || os == null || gs.chartsheet || os.chartsheet) {
                run.problem("'" + name + "' is a chart sheet, which has no cells");
                continue;
            }
            int[] box = p.box(Math.max(gs.maxRow, os.maxRow), Math.max(gs.maxColumn, os.maxColumn));
            long cells = (long) (box[2] - box[0] + 1) * (box[3] - box[1] + 1);
            if (cells > AnswerPosition.MAX_CELLS) {
                run.problem("answer position part '" + p.raw() + "' spans more than " + AnswerPosition.MAX_CELLS + " cells");
                continue;
            }
            for (int c = box[0]; c <= box[2]; c++) {
                for (int r = box[1]; r <= box[3]; r++) {
                    run.compare(name, r, c, gs, os);
                }
            }
        }
    }

    /** The sheet name as given, else the one that matches ignoring case, else null. */
    private static String resolve(List<String> names, String wanted) {
        if (names.contains(wanted)) {
            return wanted;
        }
        String hit = null;
        for (String n : names) {
            if (n.strip().equalsIgnoreCase(wanted.strip())) {
                if (hit != null) {
                    return null;
                }
                hit = n;
            }
        }
        return hit;
    }

    /** Quotes a sheet name for an address when it is not a plain identifier. */
    static String address(String sheet, int row, int column) {
        boolean plain = !sheet.isEmpty() && sheet.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_' || ch == '.')
                && !Character.isDigit(sheet.charAt(0));
        return (plain ? sheet : "'" + sheet.replace("'", "''") + "'") + "!" + Columns.name(column) + row;
    }

    private static final class Run {
        final boolean reveal;
        final List<String> mismatches = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<String> revealed = new ArrayList<>();
        int mismatchCount;
        long compared;
        boolean failed;

        Run(boolean reveal) {
            this.reveal = reveal;
        }

        XlsxValues read(String which, Path file, java.util.function.Predicate<String> keep) {
            try {
                return XlsxValues.read(file, keep);
            } catch (XlsxValues.UnreadableWorkbookException e) {
                problem("the " + which + " workbook cannot be read: " + e.getMessage());
                return null;
            }
        }

        void problem(String p) {
            failed = true;
            if (problems.size() < CheckResult.MAX_LISTED) {
                problems.add(p);
            }
        }

        void compare(String sheet, int row, int column, XlsxValues.Sheet gs, XlsxValues.Sheet os) {
            compared++;
            Object expected = gs.value(row, column);
            Object actual = os.value(row, column);
            boolean equal;
            try {
                equal = CellComparison.equal(expected, actual);
            } catch (PyValues.PyError e) {
                problem(address(sheet, row, column) + ": " + e.getMessage());
                return;
            }
            if (!equal) {
                failed = true;
                mismatchCount++;
                if (mismatches.size() < CheckResult.MAX_LISTED) {
                    String at = address(sheet, row, column);
                    mismatches.add(at);
                    if (reveal) {
                        revealed.add(at + ": expected " + CellComparison.show(expected) + ", got " + CellComparison.show(actual));
                    }
                }
            }
        }

        Outcome outcome() {
            return new Outcome(!failed, List.copyOf(mismatches), mismatchCount, List.copyOf(problems), compared, List.copyOf(revealed));
        }
    }
}
