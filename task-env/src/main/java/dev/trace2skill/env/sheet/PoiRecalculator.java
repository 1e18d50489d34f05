package dev.trace2skill.env.sheet;

import dev.trace2skill.env.CheckResult;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.FormulaEvaluator;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Recalculation with Apache POI's formula evaluator, in process: every formula cell is evaluated, one at a time, until
 * the time limit; a cell POI cannot evaluate (a function it does not implement, an external reference, a dynamic
 * array) is reported and keeps its cached value.
 */
public final class PoiRecalculator implements Recalculator {
    private final Duration timeout;

    public PoiRecalculator(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "poi";
    }

    @Override
    public Recalculation recalculate(Path in, Path out) throws IOException {
        PoiLimits.apply();
        long start = System.nanoTime();
        long unzipped;
        try {
            unzipped = WorkbookSession.checkInflatedSize(in, SpreadsheetSettings.DEFAULTS.maxUnzippedBytes());
        } catch (dev.trace2skill.env.EnvironmentException e) {
            throw new IOException(e.getMessage(), e);
        }
        XSSFWorkbook wb;
        WorkbookMemory.Lease lease = WorkbookMemory.jvm().acquire(unzipped, timeout.multipliedBy(5));
        try (InputStream s = Files.newInputStream(in)) {
            wb = new XSSFWorkbook(s);
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw new IOException("not a readable workbook: " + e.getMessage(), e);
        }
        try (lease; wb) {
            Recalculation r = evaluateAll(wb, timeout, start);
            try (OutputStream o = Files.newOutputStream(out)) {
                wb.write(o);
            }
            return new Recalculation(r.formulas(), r.notEvaluated(), r.notEvaluatedCount(), (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Evaluates every formula cell of an open workbook in place (the workspace's recalculate tool uses this too). */
    static Recalculation evaluateAll(XSSFWorkbook wb, Duration timeout, long startNanos) {
        FormulaEvaluator evaluator = wb.getCreationHelper().createFormulaEvaluator();
        evaluator.clearAllCachedResultValues();
        evaluator.setIgnoreMissingWorkbooks(false);
        long deadline = startNanos + timeout.toNanos();
        int formulas = 0;
        int failed = 0;
        List<String> notEvaluated = new ArrayList<>();
        boolean late = false;
        for (int s = 0; s < wb.getNumberOfSheets(); s++) {
            XSSFSheet sheet = wb.getSheetAt(s);
            for (Row row : sheet) {
                for (Cell cell : row) {
                    if (cell.getCellType() != CellType.FORMULA) {
                        continue;
                    }
                    formulas++;
                    String why = null;
                    if (late || System.nanoTime() > deadline) {
                        late = true;
                        why = "time limit of " + timeout.toSeconds() + " s reached";
                    } else {
                        try {
                            evaluator.evaluateFormulaCell(cell);
                        } catch (RuntimeException | StackOverflowError e) {
                            why = reason(e);
                        }
                    }
                    if (why != null) {
                        failed++;
                        if (notEvaluated.size() < CheckResult.MAX_LISTED) {
                            notEvaluated.add(SpreadsheetChecker.address(sheet.getSheetName(), cell.getRowIndex() + 1, cell.getColumnIndex() + 1) + ": " + why);
                        }
                    }
                }
            }
        }
        return new Recalculation(formulas, notEvaluated, failed, (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** A short reason: the innermost message (e.g. "Function 'FILTER' is not implemented"). */
    static String reason(Throwable e) {
        Throwable t = e;
        String message = null;
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
            if (t instanceof org.apache.poi.ss.formula.eval.NotImplementedFunctionException nf) {
                return "function " + nf.getFunctionName() + " is not implemented by POI";
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        if (e instanceof StackOverflowError) {
            return "formula chain too deep";
        }
        String m = message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
        return m.length() > 160 ? m.substring(0, 160) + "…" : m;
    }
}
