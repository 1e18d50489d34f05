package dev.trace2skill.env.sheet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.trace2skill.core.json.Json;
import org.apache.poi.ss.formula.FormulaParseException;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.FormulaError;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.xssf.usermodel.XSSFCell;
import org.apache.poi.xssf.usermodel.XSSFRow;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The workbook tools of a spreadsheet episode, on the episode's private copy only: list the sheets, read a range
 * (values and formulas), find text, write values or formulas, insert and delete rows and columns, recalculate, and
 * finish (write the output workbook). Every call is bounded (cells read, written, scanned, rows moved, characters
 * answered) and so is the episode (cells written in all). A refused or failing call answers with the reason; nothing
 * outside the workbook can be named: no file paths, no other workbooks, no functions that fetch data.
 */
public final class WorkbookTools {
    private final WorkbookSession s;
    private final DataFormatter formatter = new DataFormatter(Locale.US);

    WorkbookTools(WorkbookSession session) {
        this.s = session;
    }

    private XSSFWorkbook wb() {
        return s.wb;
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    @Tool(name = "list_sheets", value = "List the workbook's sheets with their used range and merged regions")
    public String listSheets() {
        StringBuilder out = new StringBuilder();
        int n = wb().getNumberOfSheets();
        out.append(n).append(n == 1 ? " sheet:\n" : " sheets:\n");
        for (int i = 0; i < n; i++) {
            XSSFSheet sheet = wb().getSheetAt(i);
            out.append(i + 1).append(". ").append(SheetRange.quote(sheet.getSheetName()));
            if (wb().isSheetHidden(i) || wb().isSheetVeryHidden(i)) {
                out.append(" (hidden)");
            }
            int[] used = usedArea(sheet);
            if (used == null) {
                out.append(": empty");
            } else {
                out.append(": used ").append(cell(used[0], used[1])).append(':').append(cell(used[2], used[3]))
                        .append(" (").append(used[2] - used[0] + 1).append(" rows, ").append(used[3] - used[1] + 1).append(" columns)");
            }
            int merged = sheet.getNumMergedRegions();
            if (merged > 0) {
                out.append("; merged: ");
                for (int m = 0; m < Math.min(merged, 20); m++) {
                    out.append(m == 0 ? "" : ", ").append(sheet.getMergedRegion(m).formatAsString());
                }
                if (merged > 20) {
                    out.append(" (+").append(merged - 20).append(" more)");
                }
            }
            out.append('\n');
        }
        return bounded(out);
    }

    /** {firstRow, firstCol, lastRow, lastCol} (0-based) of the cells with content, or null. */
    private int[] usedArea(XSSFSheet sheet) {
        int r1 = Integer.MAX_VALUE;
        int c1 = Integer.MAX_VALUE;
        int r2 = -1;
        int c2 = -1;
        long scanned = 0;
        for (Row row : sheet) {
            for (Cell c : row) {
                if (++scanned > s.settings.maxScanCells()) {
                    break;
                }
                if (c.getCellType() == CellType.BLANK) {
                    continue;
                }
                r1 = Math.min(r1, c.getRowIndex());
                r2 = Math.max(r2, c.getRowIndex());
                c1 = Math.min(c1, c.getColumnIndex());
                c2 = Math.max(c2, c.getColumnIndex());
            }
        }
        return r2 < 0 ? null : new int[]{r1, c1, r2, c2};
    }

    @Tool(name = "read_range", value = "Read the values of a range, with formulas shown as =FORMULA → value; e.g. Sheet1!A1:F20 (at most 400 cells a call)")
    public String readRange(@P("the range, e.g. Sheet1!A1:F20 or 'My sheet'!B2:B9; no sheet means the first sheet") String range) {
        SheetRange r;
        try {
            r = SheetRange.parse(wb(), range);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        StringBuilder out = new StringBuilder(r.label()).append(":\n");
        int shown = 0;
        int emptyRows = 0;
        boolean cut = false;
        for (int row = r.firstRow(); row <= r.lastRow() && !cut; row++) {
            XSSFRow x = r.sheet().getRow(row);
            StringBuilder line = new StringBuilder();
            for (int col = r.firstColumn(); col <= r.lastColumn(); col++) {
                if (shown >= s.settings.maxReadCells()) {
                    cut = true;
                    out.append("… stopped at ").append(cell(row, col)).append(" after ").append(shown)
                            .append(" cells; read the rest with another call\n");
                    break;
                }
                shown++;
                XSSFCell c = x == null ? null : x.getCell(col);
                String v = show(c);
                if (v != null) {
                    line.append(line.isEmpty() ? "" : " | ").append(cell(row, col)).append(": ").append(v);
                }
            }
            if (line.isEmpty()) {
                emptyRows++;
            } else {
                out.append(line).append('\n');
            }
        }
        if (emptyRows > 0) {
            out.append("(").append(emptyRows).append(emptyRows == 1 ? " row" : " rows").append(" with no values)\n");
        }
        return bounded(out);
    }

    /** A cell for the model: "text" (JSON-quoted), a number (and how it is shown when that differs), =FORMULA → value. */
    String show(Cell c) {
        if (c == null) {
            return null;
        }
        return switch (c.getCellType()) {
            case BLANK -> null;
            case FORMULA -> "=" + c.getCellFormula() + " → " + cached(c);
            default -> value(c, c.getCellType());
        };
    }

    private String cached(Cell c) {
        try {
            return value(c, c.getCachedFormulaResultType());
        } catch (RuntimeException e) {
            return "(no value)";
        }
    }

    private String value(Cell c, CellType type) {
        return switch (type) {
            case STRING -> Json.write(c.getStringCellValue());
            case BOOLEAN -> c.getBooleanCellValue() ? "TRUE" : "FALSE";
            case ERROR -> FormulaError.forInt(c.getErrorCellValue()).getString();
            case NUMERIC -> {
                double d = c.getNumericCellValue();
                String plain = number(d);
                String shown;
                try {
                    shown = DateUtil.isCellDateFormatted(c) ? formatter.formatRawCellContents(d, c.getCellStyle().getDataFormat(),
                            c.getCellStyle().getDataFormatString()) : null;
                } catch (RuntimeException e) {
                    shown = null;
                }
                yield shown == null || shown.equals(plain) ? plain : plain + " (shown as " + shown + ")";
            }
            default -> "";
        };
    }

    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        return b.scale() <= 0 && b.precision() - b.scale() <= 15 ? b.toBigInteger().toString() : b.toPlainString().length() <= 20 ? b.toPlainString() : Double.toString(d);
    }

    @Tool(name = "find_text", value = "Find cells whose text, shown value or formula contains the given text (case-insensitive); lists their addresses")
    public String findText(@P("the text to look for") String text, @P("a sheet name, or empty for all sheets") String sheet) {
        if (text == null || text.isEmpty()) {
            return "give the text to look for";
        }
        List<XSSFSheet> sheets = new ArrayList<>();
        try {
            if (sheet == null || sheet.isBlank()) {
                for (int i = 0; i < wb().getNumberOfSheets(); i++) {
                    sheets.add(wb().getSheetAt(i));
                }
            } else {
                sheets.add(SheetRange.sheet(wb(), sheet));
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        String needle = text.toLowerCase(Locale.ROOT);
        List<String> hits = new ArrayList<>();
        long scanned = 0;
        boolean stopped = false;
        outer:
        for (XSSFSheet sh : sheets) {
            for (Row row : sh) {
                for (Cell c : row) {
                    if (++scanned > s.settings.maxScanCells()) {
                        stopped = true;
                        break outer;
                    }
                    String shown = show(c);
                    if (shown != null && shown.toLowerCase(Locale.ROOT).contains(needle)) {
                        if (hits.size() >= 50) {
                            stopped = true;
                            break outer;
                        }
                        hits.add(SpreadsheetChecker.address(sh.getSheetName(), c.getRowIndex() + 1, c.getColumnIndex() + 1) + ": "
                                + abbreviate(shown, 80));
                    }
                }
            }
        }
        if (hits.isEmpty()) {
            return "No cell contains '" + text + "'" + (stopped ? " in the first " + s.settings.maxScanCells() + " cells" : "") + ".";
        }
        return bounded(new StringBuilder(String.join("\n", hits)).append(stopped ? "\n… (stopped; search a single sheet or more specific text)" : ""));
    }

    // ---- writing -------------------------------------------------------------------------------------------------

    @Tool(name = "write_range", value = "Write values or formulas into a range. values is a JSON array of rows, e.g. [[1, \"text\"], "
            + "[\"=SUM(A1:A3)\", null]]; a text starting with = is a formula, null clears a cell. Give the top-left cell to write the "
            + "whole array there, or a range of the same size; a single value fills the whole range")
    public String writeRange(@P("the range or its top-left cell, e.g. Sheet1!B2 or Sheet1!B2:C5") String range,
                             @P("a JSON array of rows, a JSON array (one row), or one value") String values) {
        SheetRange r;
        JsonNode v;
        try {
            r = SheetRange.parse(wb(), range);
            v = Json.mapper().readTree(values == null ? "null" : values);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } catch (IOException e) {
            // not JSON: one text value
            v = Json.mapper().getNodeFactory().textNode(values);
            try {
                r = SheetRange.parse(wb(), range);
            } catch (IllegalArgumentException e2) {
                return e2.getMessage();
            }
        }
        List<List<JsonNode>> grid = grid(v, r);
        if (grid == null) {
            return "values must be a JSON array of rows of the range's size (" + (r.lastRow() - r.firstRow() + 1) + " x "
                    + (r.lastColumn() - r.firstColumn() + 1) + "), a single row, or one value";
        }
        long cells = grid.stream().mapToLong(List::size).sum();
        if (cells > s.settings.maxWriteCells()) {
            return "that is " + cells + " cells; write at most " + s.settings.maxWriteCells() + " in one call";
        }
        if (s.cellsWritten + cells > s.settings.maxEpisodeWrites()) {
            return "refused: this episode may write at most " + s.settings.maxEpisodeWrites() + " cells in all (" + s.cellsWritten + " written)";
        }
        int lastRow = r.firstRow() + grid.size() - 1;
        int lastCol = r.firstColumn() + grid.stream().mapToInt(List::size).max().orElse(1) - 1;
        if (lastRow > SheetRange.MAX_ROW || lastCol > SheetRange.MAX_COLUMN) {
            return "the values reach beyond the last row or column of a sheet";
        }
        // refuse before changing anything
        for (List<JsonNode> row : grid) {
            for (JsonNode n : row) {
                if (n != null && n.isTextual() && n.asText().startsWith("=") && n.asText().length() > 1) {
                    String why = FormulaGuard.refusal(n.asText().substring(1));
                    if (why != null) {
                        return "refused " + abbreviate(n.asText(), 60) + ": " + why + ". Nothing was written.";
                    }
                }
            }
        }
        List<XSSFCell> formulas = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int written = 0;
        for (int i = 0; i < grid.size(); i++) {
            XSSFRow row = r.sheet().getRow(r.firstRow() + i);
            if (row == null) {
                row = r.sheet().createRow(r.firstRow() + i);
            }
            for (int j = 0; j < grid.get(i).size(); j++) {
                JsonNode n = grid.get(i).get(j);
                XSSFCell c = row.getCell(r.firstColumn() + j);
                if (c == null) {
                    c = row.createCell(r.firstColumn() + j);
                }
                try {
                    if (c.getCTCell().isSetT() && c.getCTCell().getT() == org.openxmlformats.schemas.spreadsheetml.x2006.main.STCellType.INLINE_STR) {
                        c.setBlank(); // POI would set <v> beside the old inline string, which readers still show
                    }
                    if (n == null || n.isNull()) {
                        c.setBlank();
                    } else if (n.isBoolean()) {
                        c.setCellValue(n.booleanValue());
                    } else if (n.isNumber()) {
                        c.setCellValue(n.doubleValue());
                    } else if (n.isTextual() && n.asText().startsWith("=") && n.asText().length() > 1) {
                        c.setCellFormula(n.asText().substring(1));
                        formulas.add(c);
                    } else if (n.isTextual()) {
                        c.setCellValue(n.asText());
                    } else {
                        c.setCellValue(n.toString());
                    }
                    written++;
                } catch (FormulaParseException e) {
                    errors.add(cell(c.getRowIndex(), c.getColumnIndex()) + ": the formula cannot be read: " + firstLine(e.getMessage()));
                } catch (RuntimeException e) {
                    errors.add(cell(c.getRowIndex(), c.getColumnIndex()) + ": " + PoiRecalculator.reason(e));
                }
            }
        }
        s.cellsWritten += written;
        s.changed();
        StringBuilder out = new StringBuilder("Wrote ").append(written).append(written == 1 ? " cell" : " cells").append(" in ")
                .append(new SheetRange(r.sheet(), r.firstRow(), r.firstColumn(), lastRow, lastCol).label()).append('.');
        int shown = 0;
        for (XSSFCell c : formulas) {
            String value;
            try {
                s.evaluator.evaluateFormulaCell(c);
                value = cached(c);
            } catch (RuntimeException | StackOverflowError e) {
                value = "not evaluated: " + PoiRecalculator.reason(e);
            }
            if (shown++ < 10) {
                out.append('\n').append(cell(c.getRowIndex(), c.getColumnIndex())).append(": =").append(c.getCellFormula()).append(" → ").append(value);
            }
        }
        if (formulas.size() > 10) {
            out.append("\n… and ").append(formulas.size() - 10).append(" more formulas");
        }
        for (String e : errors) {
            out.append("\nnot written: ").append(e);
        }
        if (!formulas.isEmpty()) {
            out.append("\n(other formulas that depend on these show their new values after recalculate)");
        }
        return bounded(out);
    }

    /** The values as rows fitted to the range, or null when their shape does not fit. */
    private static List<List<JsonNode>> grid(JsonNode v, SheetRange r) {
        int rows = r.lastRow() - r.firstRow() + 1;
        int cols = r.lastColumn() - r.firstColumn() + 1;
        List<List<JsonNode>> out = new ArrayList<>();
        if (v == null || !v.isArray()) { // one value: fills the range
            if (r.cells() > 1_000_000) {
                return null;
            }
            for (int i = 0; i < rows; i++) {
                List<JsonNode> row = new ArrayList<>();
                for (int j = 0; j < cols; j++) {
                    row.add(v);
                }
                out.add(row);
            }
            return out;
        }
        boolean nested = v.size() > 0 && v.get(0).isArray();
        if (!nested) { // one row
            List<JsonNode> row = new ArrayList<>();
            v.forEach(row::add);
            out.add(row);
        } else {
            for (JsonNode rowNode : v) {
                if (!rowNode.isArray()) {
                    return null;
                }
                List<JsonNode> row = new ArrayList<>();
                rowNode.forEach(row::add);
                out.add(row);
            }
        }
        boolean single = rows == 1 && cols == 1;
        if (single) {
            return out;
        }
        if (!nested && rows > 1 && cols == 1 && out.get(0).size() == rows) { // a column given as one flat array
            List<List<JsonNode>> column = new ArrayList<>();
            out.get(0).forEach(n -> column.add(List.of(n)));
            return column;
        }
        if (out.size() != rows || out.stream().anyMatch(row -> row.size() != cols)) {
            return null;
        }
        return out;
    }

    @Tool(name = "insert_rows", value = "Insert empty rows before a row; the rows below move down and formulas follow them")
    public String insertRows(@P("the sheet name, or empty for the first sheet") String sheet, @P("the row to insert before, 1-based") int row,
                             @P("how many rows") int count) {
        return shift(sheet, true, true, row, count);
    }

    @Tool(name = "delete_rows", value = "Delete rows; the rows below move up and formulas follow them")
    public String deleteRows(@P("the sheet name, or empty for the first sheet") String sheet, @P("the first row to delete, 1-based") int row,
                             @P("how many rows") int count) {
        return shift(sheet, true, false, row, count);
    }

    @Tool(name = "insert_columns", value = "Insert empty columns before a column; the columns to the right move right")
    public String insertColumns(@P("the sheet name, or empty for the first sheet") String sheet,
                                @P("the column to insert before, as letters (e.g. C)") String column, @P("how many columns") int count) {
        int c = columnNumber(column);
        return c < 1 ? "'" + column + "' is not a column (A..XFD)" : shift(sheet, false, true, c, count);
    }

    @Tool(name = "delete_columns", value = "Delete columns; the columns to the right move left")
    public String deleteColumns(@P("the sheet name, or empty for the first sheet") String sheet,
                                @P("the first column to delete, as letters (e.g. C)") String column, @P("how many columns") int count) {
        int c = columnNumber(column);
        return c < 1 ? "'" + column + "' is not a column (A..XFD)" : shift(sheet, false, false, c, count);
    }

    private static int columnNumber(String letters) {
        if (letters == null) {
            return 0;
        }
        String t = letters.strip().toUpperCase(Locale.ROOT);
        if (t.matches("\\d+")) {
            return Integer.parseInt(t);
        }
        int c = Columns.index(t);
        return c > Columns.EXCEL_MAX ? 0 : c;
    }

    private String shift(String sheetName, boolean rows, boolean insert, int at, int count) {
        XSSFSheet sheet;
        try {
            sheet = SheetRange.sheetOrFirst(wb(), sheetName);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (count < 1 || count > s.settings.maxShift()) {
            return "count must be between 1 and " + s.settings.maxShift();
        }
        int max = rows ? SheetRange.MAX_ROW + 1 : SheetRange.MAX_COLUMN + 1;
        if (at < 1 || at > max) {
            return (rows ? "row" : "column") + " " + at + " is outside the sheet";
        }
        int first = at - 1;
        String what = rows ? (count == 1 ? "row" : "rows") : (count == 1 ? "column" : "columns");
        String where = rows ? Integer.toString(at) : CellReference.convertNumToColString(first);
        try {
            if (rows) {
                int last = sheet.getLastRowNum();
                if (insert) {
                    if (first <= last) {
                        if (last + count > SheetRange.MAX_ROW) {
                            return "the sheet has no room for " + count + " more rows";
                        }
                        sheet.shiftRows(first, last, count, true, false);
                    }
                } else {
                    for (int i = first; i < first + count && i <= last; i++) {
                        XSSFRow row = sheet.getRow(i);
                        if (row != null) {
                            sheet.removeRow(row);
                        }
                    }
                    removeMergedWithin(sheet, first, first + count - 1, true);
                    if (first + count <= last) {
                        sheet.shiftRows(first + count, last, -count, true, false);
                    }
                }
            } else {
                int last = SheetRange.lastUsedColumn(sheet);
                if (insert) {
                    if (first <= last) {
                        if (last + count > SheetRange.MAX_COLUMN) {
                            return "the sheet has no room for " + count + " more columns";
                        }
                        sheet.shiftColumns(first, last, count);
                    }
                } else {
                    for (Row row : sheet) {
                        for (int c = first; c < first + count; c++) {
                            Cell cell = row.getCell(c);
                            if (cell != null) {
                                row.removeCell(cell);
                            }
                        }
                    }
                    removeMergedWithin(sheet, first, first + count - 1, false);
                    if (first + count <= last) {
                        sheet.shiftColumns(first + count, last, -count);
                    }
                }
            }
        } catch (RuntimeException e) {
            return "could not " + (insert ? "insert" : "delete") + " " + what + ": " + PoiRecalculator.reason(e);
        } finally {
            s.changed();
        }
        return (insert ? "Inserted " : "Deleted ") + count + " " + what + (insert ? " before " : " from ") + what.replaceAll("s$", "") + " "
                + where + " of " + SheetRange.quote(sheet.getSheetName()) + ".";
    }

    private static void removeMergedWithin(XSSFSheet sheet, int first, int last, boolean rows) {
        for (int i = sheet.getNumMergedRegions() - 1; i >= 0; i--) {
            CellRangeAddress m = sheet.getMergedRegion(i);
            int a = rows ? m.getFirstRow() : m.getFirstColumn();
            int b = rows ? m.getLastRow() : m.getLastColumn();
            if (a <= last && b >= first) {
                sheet.removeMergedRegion(i);
            }
        }
    }

    @Tool(name = "recalculate", value = "Recalculate every formula of the workbook and report the ones that cannot be evaluated")
    public String recalculate() {
        Recalculator.Recalculation r = PoiRecalculator.evaluateAll(wb(), s.settings.recalcTimeout(), System.nanoTime());
        StringBuilder out = new StringBuilder("Recalculated ").append(r.formulas()).append(r.formulas() == 1 ? " formula" : " formulas");
        if (r.notEvaluatedCount() > 0) {
            out.append("; ").append(r.notEvaluatedCount()).append(" could not be evaluated here (they keep their previous values):");
            r.notEvaluated().stream().limit(20).forEach(n -> out.append('\n').append(n));
        } else {
            out.append('.');
        }
        return bounded(out);
    }

    @Tool(name = "finish", value = "Save the workbook as the task's output and end; call it once the answer cells are filled in")
    public String finish() {
        try {
            s.save();
            return "Saved the output workbook. The task is finished.";
        } catch (IOException | RuntimeException e) {
            return "could not save the workbook: " + PoiRecalculator.reason(e);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static String cell(int row, int column) {
        return CellReference.convertNumToColString(column) + (row + 1);
    }

    private String bounded(StringBuilder out) {
        int max = s.settings.maxObservationChars();
        return out.length() <= max ? out.toString() : out.substring(0, max) + "\n… (cut at " + max + " characters)";
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
