package dev.trace2skill.env.sheet;

import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.util.Locale;

/**
 * A range named by a tool call: {@code Sheet1!A1:C9}, {@code 'My sheet'!B2}, {@code A1:C9} (the first sheet), whole
 * columns {@code B:D} or rows {@code 3:5} (bounded by the sheet's used area). Rows and columns are 0-based inside.
 */
record SheetRange(XSSFSheet sheet, int firstRow, int firstColumn, int lastRow, int lastColumn) {
    static final int MAX_ROW = 1_048_575;
    static final int MAX_COLUMN = 16_383;

    long cells() {
        return (long) (lastRow - firstRow + 1) * (lastColumn - firstColumn + 1);
    }

    String label() {
        String a = org.apache.poi.ss.util.CellReference.convertNumToColString(firstColumn) + (firstRow + 1);
        String b = org.apache.poi.ss.util.CellReference.convertNumToColString(lastColumn) + (lastRow + 1);
        return quote(sheet.getSheetName()) + "!" + a + (a.equals(b) ? "" : ":" + b);
    }

    static String quote(String sheet) {
        return SpreadsheetChecker.address(sheet, 1, 1).replaceFirst("!A1$", "");
    }

    /** Parses a range; IllegalArgumentException with a message for the model when it is not one. */
    static SheetRange parse(XSSFWorkbook wb, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("give a range such as Sheet1!A1:C10");
        }
        String t = text.strip();
        int bang = lastBangOutsideQuotes(t);
        XSSFSheet sheet = bang < 0 ? wb.getSheetAt(0) : sheet(wb, t.substring(0, bang));
        String area = t.substring(bang + 1).strip().replace("$", "").toUpperCase(Locale.ROOT);
        CellRangeAddress a;
        try {
            a = CellRangeAddress.valueOf(area);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + area + "' is not a cell or range (e.g. A1 or B2:D9)");
        }
        int r1 = a.getFirstRow();
        int r2 = a.getLastRow();
        int c1 = a.getFirstColumn();
        int c2 = a.getLastColumn();
        if (r1 < 0 || r2 < 0) { // whole columns: the used rows
            r1 = 0;
            r2 = Math.max(0, sheet.getLastRowNum());
        }
        if (c1 < 0 || c2 < 0) { // whole rows: the used columns
            c1 = 0;
            c2 = Math.max(0, lastUsedColumn(sheet));
        }
        if (!area.matches("[A-Z]{1,3}\\d{1,7}(:[A-Z]{1,3}\\d{1,7})?|[A-Z]{1,3}:[A-Z]{1,3}|\\d{1,7}:\\d{1,7}")) {
            throw new IllegalArgumentException("'" + area + "' is not a cell or range (e.g. A1 or B2:D9)");
        }
        if (Math.max(r1, r2) > MAX_ROW || Math.max(c1, c2) > MAX_COLUMN) {
            throw new IllegalArgumentException("'" + area + "' is beyond the last row (1048576) or column (XFD)");
        }
        return new SheetRange(sheet, Math.min(r1, r2), Math.min(c1, c2), Math.max(r1, r2), Math.max(c1, c2));
    }

    static XSSFSheet sheet(XSSFWorkbook wb, String given) {
        String name = given.strip();
        if (name.length() >= 2 && name.startsWith("'") && name.endsWith("'")) {
            name = name.substring(1, name.length() - 1).replace("''", "'");
        }
        XSSFSheet s = wb.getSheet(name);
        if (s == null) {
            StringBuilder names = new StringBuilder();
            for (int i = 0; i < wb.getNumberOfSheets(); i++) {
                names.append(i == 0 ? "" : ", ").append(quote(wb.getSheetName(i)));
            }
            throw new IllegalArgumentException("no sheet '" + name + "'; sheets: " + names);
        }
        return s;
    }

    /** A sheet by name, or the first sheet for an empty name. */
    static XSSFSheet sheetOrFirst(XSSFWorkbook wb, String given) {
        return given == null || given.isBlank() ? wb.getSheetAt(0) : sheet(wb, given);
    }

    private static int lastBangOutsideQuotes(String t) {
        boolean quoted = false;
        int last = -1;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (c == '!' && !quoted) {
                last = i;
            }
        }
        return last;
    }

    static int lastUsedColumn(XSSFSheet sheet) {
        int last = -1;
        for (org.apache.poi.ss.usermodel.Row row : sheet) {
            last = Math.max(last, row.getLastCellNum() - 1);
        }
        return last;
    }
}
