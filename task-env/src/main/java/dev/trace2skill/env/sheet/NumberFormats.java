package dev.trace2skill.env.sheet;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which number formats make openpyxl (3.1, the version the benchmark pins) read a numeric cell as a date, time or
 * duration: its built-in format table, its date test on the first section of the format with quoted text and
 * bracketed locale or colour codes removed, and its duration test.
 */
final class NumberFormats {
    private NumberFormats() {
    }

    static final Map<Integer, String> BUILTIN = Map.ofEntries(
            Map.entry(0, "General"), Map.entry(1, "0"), Map.entry(2, "0.00"), Map.entry(3, "#,##0"), Map.entry(4, "#,##0.00"),
            Map.entry(5, "\"$\"#,##0_);(\"$\"#,##0)"), Map.entry(6, "\"$\"#,##0_);[Red](\"$\"#,##0)"),
            Map.entry(7, "\"$\"#,##0.00_);(\"$\"#,##0.00)"), Map.entry(8, "\"$\"#,##0.00_);[Red](\"$\"#,##0.00)"),
            Map.entry(9, "0%"), Map.entry(10, "0.00%"), Map.entry(11, "0.00E+00"), Map.entry(12, "# ?/?"), Map.entry(13, "# ??/??"),
            Map.entry(14, "mm-dd-yy"), Map.entry(15, "d-mmm-yy"), Map.entry(16, "d-mmm"), Map.entry(17, "mmm-yy"),
            Map.entry(18, "h:mm AM/PM"), Map.entry(19, "h:mm:ss AM/PM"), Map.entry(20, "h:mm"), Map.entry(21, "h:mm:ss"),
            Map.entry(22, "m/d/yy h:mm"), Map.entry(37, "#,##0_);(#,##0)"), Map.entry(38, "#,##0_);[Red](#,##0)"),
            Map.entry(39, "#,##0.00_);(#,##0.00)"), Map.entry(40, "#,##0.00_);[Red](#,##0.00)"),
            Map.entry(41, "_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)"),
            Map.entry(42, "_(\"$\"* #,##0_);_(\"$\"* \\(#,##0\\);_(\"$\"* \"-\"_);_(@_)"),
            Map.entry(43, "_(* #,##0.00_);_(* \\(#,##0.00\\);_(* \"-\"??_);_(@_)"),
            Map.entry(44, "_(\"$\"* #,##0.00_)_(\"$\"* \\(#,##0.00\\)_(\"$\"* \"-\"??_)_(@_)"),
            Map.entry(45, "mm:ss"), Map.entry(46, "[h]:mm:ss"), Map.entry(47, "mmss.0"), Map.entry(48, "##0.0E+0"), Map.entry(49, "@"));

    private static final Pattern STRIP = Pattern.compile("\".*?\"|\\[(?!hh?\\]|mm?\\]|ss?\\])[^\\]]*\\]");
    private static final Pattern DATE_LETTER = Pattern.compile("(?<![_\\\\])[dmhysDMHYS]");
    private static final Pattern TIMEDELTA = Pattern.compile(
            "\\[hh?\\](:mm(:ss(\\.0*)?)?)?|\\[mm?\\](:ss(\\.0*)?)?|\\[ss?\\](\\.0*)?", Pattern.CASE_INSENSITIVE);

    static boolean isDate(String format) {
        if (format == null) {
            return false;
        }
        String first = firstSection(format);
        return DATE_LETTER.matcher(STRIP.matcher(first).replaceAll("")).find();
    }

    static boolean isTimedelta(String format) {
        return format != null && TIMEDELTA.matcher(firstSection(format)).find();
    }

    private static String firstSection(String format) {
        int semicolon = format.indexOf(';');
        return semicolon < 0 ? format : format.substring(0, semicolon);
    }
}
