package dev.trace2skill.env.sheet;

import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Small workbooks written with POI for the checker's and the tools' tests. */
final class Books {
    private Books() {
    }

    static Path write(Path file, Consumer<XSSFWorkbook> content) {
        try (XSSFWorkbook wb = new XSSFWorkbook()) {
            content.accept(wb);
            try (OutputStream out = Files.newOutputStream(file)) {
                wb.write(out);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a cell: a Double is a number, a Boolean a boolean, a String starting with = a formula, other Strings text. */
    static void set(XSSFSheet sheet, String ref, Object value) {
        set(sheet, ref, value, null);
    }

    static void set(XSSFSheet sheet, String ref, Object value, String format) {
        org.apache.poi.ss.util.CellReference r = new org.apache.poi.ss.util.CellReference(ref);
        Row row = sheet.getRow(r.getRow()) == null ? sheet.createRow(r.getRow()) : sheet.getRow(r.getRow());
        var cell = row.createCell(r.getCol());
        if (value instanceof Double d) {
            cell.setCellValue(d);
        } else if (value instanceof Integer i) {
            cell.setCellValue(i);
        } else if (value instanceof Boolean b) {
            cell.setCellValue(b);
        } else if (value instanceof String s && s.startsWith("=")) {
            cell.setCellFormula(s.substring(1));
        } else if (value != null) {
            cell.setCellValue(value.toString());
        }
        if (format != null) {
            CellStyle style = sheet.getWorkbook().createCellStyle();
            style.setDataFormat(sheet.getWorkbook().createDataFormat().getFormat(format));
            cell.setCellStyle(style);
        }
    }

    static void merge(XSSFSheet sheet, String range) {
        sheet.addMergedRegion(CellRangeAddress.valueOf(range));
    }
}
