package dev.trace2skill.env.sheet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A task's {@code answer_position} ({@code Sheet1!A1:B9}, {@code 'My sheet'!C2}, several ranges separated by commas,
 * no sheet meaning the golden workbook's first sheet), read two ways.
 *
 * <p><b>Official</b> reproduces the benchmark's evaluation exactly, malformed positions included: the text is split at
 * every comma (even inside a quoted sheet name); a part with one {@code !} is sheet and range, each stripped of leading
 * and trailing single quotes (nothing else: a no-break space or a space after a comma stays); a range without
 * {@code :} is one cell name; a range with one {@code :} is expanded column by column from its two ends, whose letters
 * and digits are read character by character (a column-only end such as {@code A:G} has no row and fails, a
 * row-only end such as {@code BD2:308} yields no cells at all and so passes). Each generated name is then looked up
 * as openpyxl does, and a name that is not one cell fails the whole check.
 *
 * <p><b>Lenient</b> normalises: Unicode spaces trimmed, commas inside a quoted sheet name kept, quotes stripped from
 * either end of a sheet name or range (and {@code ''} read as {@code '}), {@code $} signs dropped, letters upper-cased,
 * a column-only range {@code A:G} taken over the used rows, a row-only one over the used columns, {@code BD2:308} as
 * {@code BD2:BD308}, a reversed range turned round; a range without a sheet goes to the task's {@code answer_sheet}
 * (each of them when it lists several) and otherwise to the first sheet; sheet names match exactly, else ignoring case.
 */
final class AnswerPosition {
    /** More cells than this in one position is refused in both modes (the dataset's largest has 96,000). */
    static final long MAX_CELLS = 3_000_000L;

    private AnswerPosition() {
    }

    // ---- official -------------------------------------------------------------------------------------------------

    /**
     * One comma-separated part as the benchmark reads it.
     *
     * @param sheet the sheet name, or null for the golden workbook's first sheet
     * @param names the cell names to look up (in the benchmark's order), or null when the part raises while being read
     * @param error why the part raises, or null
     */
    record OfficialPart(String raw, String sheet, List<String> names, String error) {
    }

    static List<OfficialPart> official(String position) {
        List<OfficialPart> out = new ArrayList<>();
        for (String part : position.split(",", -1)) {
            String sheet;
            String range;
            if (part.indexOf('!') >= 0) {
                String[] pieces = part.split("!", -1);
                if (pieces.length != 2) {
                    out.add(new OfficialPart(part, null, null, "'" + part + "' has more than one '!'"));
                    continue;
                }
                sheet = stripQuotes(pieces[0]);
                range = pieces[1];
            } else {
                sheet = null;
                range = part;
            }
            range = stripQuotes(range);
            try {
                out.add(new OfficialPart(part, sheet, cellNames(range), null));
            } catch (IllegalArgumentException e) {
                out.add(new OfficialPart(part, sheet, null, e.getMessage()));
            }
        }
        return out;
    }

    /** Python's {@code s.lstrip("'").rstrip("'")}. */
    static String stripQuotes(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && s.charAt(a) == '\'') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == '\'') {
            b--;
        }
        return s.substring(a, b);
    }

    /** The benchmark's {@code generate_cell_names}. */
    static List<String> cellNames(String range) {
        if (range.indexOf(':') < 0) {
            return List.of(range);
        }
        String[] ends = range.split(":", -1);
        if (ends.length != 2) {
            throw new IllegalArgumentException("'" + range + "' has more than one ':'");
        }
        long[] start = end(ends[0]);
        long[] stop = end(ends[1]);
        long columns = Math.max(0, stop[0] - start[0] + 1);
        long rows = Math.max(0, stop[1] - start[1] + 1);
        if (columns > 0 && rows > 0 && columns * rows > MAX_CELLS) {
            throw new IllegalArgumentException("'" + range + "' spans more than " + MAX_CELLS + " cells");
        }
        List<String> names = new ArrayList<>((int) (columns * rows));
        for (long c = start[0]; c <= stop[0]; c++) {
            String letters = Columns.name(c);
            for (long r = start[1]; r <= stop[1]; r++) {
                names.add(letters + r);
            }
        }
        return names;
    }

    /** One end of a range: its non-digit characters as a column number (ord - 64 each) and its digits as the row. */
    private static long[] end(String cell) {
        StringBuilder column = new StringBuilder();
        StringBuilder row = new StringBuilder();
        cell.codePoints().forEach(cp -> (isPythonDigit(cp) ? row : column).appendCodePoint(cp));
        long col = 0;
        for (int cp : column.codePoints().toArray()) {
            col = col * 26 + (cp - 'A' + 1);
            if (Math.abs(col) > 1L << 40) {
                throw new IllegalArgumentException("'" + cell + "' is not a cell");
            }
        }
        String digits = row.toString();
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("invalid literal for int() with base 10: '' (in '" + cell + "')");
        }
        StringBuilder ascii = new StringBuilder();
        for (int cp : digits.codePoints().toArray()) {
            if (Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER) {
                throw new IllegalArgumentException("invalid literal for int() with base 10: '" + digits + "'");
            }
            ascii.append(Character.digit(cp, 10));
        }
        String a = ascii.toString().replaceFirst("^0+(?=.)", "");
        if (a.length() > 12) {
            throw new IllegalArgumentException("row " + digits + " is out of range");
        }
        return new long[]{col, Long.parseLong(a)};
    }

    /** Python's {@code str.isdigit}: decimal digits and the other single digits (superscripts, circled digits). */
    private static boolean isPythonDigit(int cp) {
        int type = Character.getType(cp);
        if (type == Character.DECIMAL_DIGIT_NUMBER) {
            return true;
        }
        if (type == Character.OTHER_NUMBER) {
            int v = Character.getNumericValue(cp);
            return v >= 0 && v <= 9;
        }
        return false;
    }

    private static final Pattern OPENPYXL_CELL = Pattern.compile("\\$?([A-Za-z]{1,3})?\\$?(\\p{Nd}+)?\\n?");

    /**
     * openpyxl's {@code ws[name]} for a name without ':' followed by {@code .value}: {row, column} for a single
     * cell, or null where Python raises (not a coordinate, a whole row or column, row 0 or beyond 1,048,576).
     */
    static int[] openpyxlCell(String name) {
        Matcher m = OPENPYXL_CELL.matcher(name);
        if (!m.matches() || m.group(1) == null || m.group(2) == null) {
            return null;
        }
        StringBuilder ascii = new StringBuilder();
        m.group(2).codePoints().forEach(cp -> ascii.append(Character.digit(cp, 10)));
        String digits = ascii.toString().replaceFirst("^0+(?=.)", "");
        if (digits.length() > 8) {
            return null;
        }
        int row = Integer.parseInt(digits);
        if (row < 1 || row > 1_048_576) {
            return null;
        }
        return new int[]{row, Columns.index(m.group(1).toUpperCase(Locale.ROOT))};
    }

    // ---- lenient --------------------------------------------------------------------------------------------------

    /**
     * One normalised part.
     *
     * @param sheets the sheet names given (one, or the task's answer sheets), empty for the first sheet
     * @param first  column and row of the first end (0 where absent)
     * @param last   column and row of the last end (0 where absent)
     * @param error  why the part cannot be read, or null
     */
    record LenientPart(String raw, List<String> sheets, int[] first, int[] last, String error) {
        /** The cells of this part given the used rows and columns of the sheet: {minCol, minRow, maxCol, maxRow}. */
        int[] box(int usedRows, int usedColumns) {
            int c1 = first[0];
            int r1 = first[1];
            int c2 = last[0];
            int r2 = last[1];
            if (c1 > 0 && r1 > 0 && c2 == 0 && r2 > 0) {
                c2 = c1;                                    // BD2:308 is BD2:BD308
            }
            if (r1 == 0) {
                r1 = 1;                                     // A:G from the first row
            }
            if (c1 == 0) {
                c1 = 1;                                     // 3:5 from the first column
            }
            if (r2 == 0) {
                r2 = Math.max(usedRows, r1);                // ... to the last used row
            }
            if (c2 == 0) {
                c2 = Math.max(usedColumns, c1);             // ... to the last used column
            }
            return new int[]{Math.min(c1, c2), Math.min(r1, r2), Math.max(c1, c2), Math.max(r1, r2)};
        }
    }

    private static final Pattern LENIENT_END = Pattern.compile("([A-Z]{0,3})(\\d{0,7})");

    static List<LenientPart> lenient(String position, String answerSheet) {
        List<LenientPart> out = new ArrayList<>();
        List<String> defaultSheets = new ArrayList<>();
        if (answerSheet != null && !answerSheet.isBlank()) {
            for (String s : splitOutsideQuotes(normaliseSpaces(answerSheet))) {
                String n = unquoteSheet(s);
                if (!n.isEmpty()) {
                    defaultSheets.add(n);
                }
            }
        }
        for (String part : splitOutsideQuotes(normaliseSpaces(position))) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int bang = p.lastIndexOf('!');
            List<String> sheets = bang < 0 ? defaultSheets : List.of(unquoteSheet(p.substring(0, bang)));
            String range = stripQuotes(p.substring(bang + 1).strip()).strip().replace("$", "").toUpperCase(Locale.ROOT);
            String[] ends = range.split(":", -1);
            if (ends.length > 2 || range.isEmpty()) {
                out.add(new LenientPart(part, sheets, null, null, "cannot read the range '" + range + "'"));
                continue;
            }
            int[] a = lenientEnd(ends[0]);
            int[] b = ends.length == 2 ? lenientEnd(ends[1]) : a;
            if (a == null || b == null || (ends.length == 1 && (a[0] == 0 || a[1] == 0))
                    || (a[0] == 0 && a[1] == 0) || (b[0] == 0 && b[1] == 0) || (a[0] == 0 && b[0] > 0)) {
                out.add(new LenientPart(part, sheets, null, null, "cannot read the range '" + range + "'"));
                continue;
            }
            out.add(new LenientPart(part, sheets, a, b, null));
        }
        return out;
    }

    private static int[] lenientEnd(String end) {
        Matcher m = LENIENT_END.matcher(end.strip());
        if (!m.matches()) {
            return null;
        }
        int col = m.group(1).isEmpty() ? 0 : Columns.index(m.group(1));
        int row = m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2));
        if (row > 1_048_576 || (!m.group(2).isEmpty() && row == 0)) {
            return null;
        }
        return new int[]{col, row};
    }

    /** Every Unicode space (no-break spaces included) as a plain space. */
    static String normaliseSpaces(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(PyValues.isSpace(cp) ? ' ' : cp));
        return out.toString().strip();
    }

    /** Splits at commas, keeping a comma that lies inside a sheet name opened with a quote and closed later. */
    static List<String> splitOutsideQuotes(String s) {
        List<String> pieces = new ArrayList<>(List.of(s.split(",", -1)));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            String piece = pieces.get(i);
            String t = piece.strip();
            if (t.startsWith("'") && t.indexOf('\'', 1) < 0) {
                StringBuilder merged = new StringBuilder(piece);
                int j = i + 1;
                while (j < pieces.size() && merged.indexOf("'", merged.indexOf("'") + 1) < 0) {
                    merged.append(',').append(pieces.get(j++));
                }
                if (merged.indexOf("'", merged.indexOf("'") + 1) >= 0) {
                    out.add(merged.toString());
                    i = j - 1;
                    continue;
                }
            }
            out.add(piece);
        }
        return out;
    }

    private static String unquoteSheet(String s) {
        return stripQuotes(s.strip()).replace("''", "'").strip();
    }
}
