package dev.trace2skill.env.sheet;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses formulas that could reach outside the episode's copy of the workbook: references to other workbooks
 * ({@code [Book.xlsx]Sheet1!A1}, {@code [1]Sheet1!A1}), DDE links ({@code app|topic!item}), functions that fetch or
 * reveal outside data ({@code WEBSERVICE}, {@code FILTERXML}, {@code RTD}, {@code CALL}, {@code REGISTER.ID},
 * {@code IMAGE}, {@code INFO}, {@code CELL("filename")}), and text that names a file or a URL (a drive or UNC path,
 * {@code file:}, {@code ://}, LibreOffice's {@code 'file'#$Sheet.A1}).
 */
final class FormulaGuard {
    static final Set<String> FUNCTIONS = Set.of("WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER", "REGISTER.ID", "IMAGE", "INFO",
            "DDE", "DDEAUTO", "EXEC", "SQL.REQUEST");
    private static final Pattern FUNCTION = Pattern.compile("(?<![A-Za-z0-9_.])((?:_xlfn\\.)?[A-Za-z][A-Za-z0-9_.]*)\\s*\\(");
    private static final Pattern EXTERNAL = Pattern.compile("\\[[^\\[\\]]*\\][^\\[\\]!(),;]*!|\\[\\d+\\]");
    private static final Pattern PATH = Pattern.compile("(?i)[a-z]:[\\\\/]|\\\\\\\\|file:|://|'#\\$|\\.(xlsx|xlsm|xls|xlsb|csv|ods|txt|xml|dll|exe)\\b");
    static final int MAX_LENGTH = 8_192;

    private FormulaGuard() {
    }

    /** Null when the formula (without its leading '=') may be written, else why it is refused. */
    static String refusal(String formula) {
        if (formula.length() > MAX_LENGTH) {
            return "the formula is longer than " + MAX_LENGTH + " characters";
        }
        StringBuilder code = new StringBuilder();
        StringBuilder literals = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < formula.length(); i++) {
            char c = formula.charAt(i);
            if (c == '"') {
                if (inString && i + 1 < formula.length() && formula.charAt(i + 1) == '"') {
                    literals.append('"');
                    i++;
                    continue;
                }
                inString = !inString;
                code.append(inString ? "\"" : "\"");
                literals.append('\n');
                continue;
            }
            (inString ? literals : code).append(c);
        }
        String outside = code.toString();
        if (outside.indexOf('|') >= 0) {
            return "DDE links (app|topic) are not allowed";
        }
        if (EXTERNAL.matcher(outside).find()) {
            return "references to other workbooks are not allowed; everything the task needs is in this workbook";
        }
        Matcher f = FUNCTION.matcher(outside);
        while (f.find()) {
            String name = f.group(1).toUpperCase(Locale.ROOT).replaceFirst("^_XLFN\\.", "");
            if (FUNCTIONS.contains(name)) {
                return name + " is not allowed: it reaches outside the workbook";
            }
            if (name.equals("CELL") && literals.toString().toLowerCase(Locale.ROOT).contains("filename")) {
                return "CELL(\"filename\") is not allowed: it reveals where the file is";
            }
        }
        if (PATH.matcher(formula).find()) {
            return "file paths and URLs are not allowed in formulas";
        }
        return null;
    }
}
