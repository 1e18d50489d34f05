package dev.trace2skill.env.sheet;

import dev.trace2skill.env.EnvironmentException;
import org.apache.poi.ss.usermodel.FormulaEvaluator;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One episode's workbook: a private copy of the input in a temporary folder, loaded with Apache POI, its formula
 * evaluator, and the work done so far (for the per-episode bounds). {@link #save()} writes {@code output.xlsx} beside
 * the copy. Closing deletes the folder.
 */
final class WorkbookSession implements AutoCloseable {
    final SpreadsheetSettings settings;
    final Path dir;
    final Path output;
    final XSSFWorkbook wb;
    final FormulaEvaluator evaluator;
    int cellsWritten;
    /** Changes made by tools (writes, inserted or deleted rows and columns), replayed ones included. */
    int changes;
    boolean saved;
    /** The recalculation done when the workbook was last saved (POI), or null. */
    Recalculator.Recalculation savedRecalculation;
    private final WorkbookMemory.Lease lease;

    WorkbookSession(Path input, SpreadsheetSettings settings) {
        PoiLimits.apply();
        this.settings = settings;
        try {
            long size = Files.size(input);
            if (size > settings.maxWorkbookBytes()) {
                throw new EnvironmentException("the workbook has " + size + " bytes, more than the " + settings.maxWorkbookBytes() + " allowed");
            }
            long unzipped = checkInflatedSize(input, settings.maxUnzippedBytes());
            lease = WorkbookMemory.jvm().acquire(unzipped, settings.recalcTimeout().multipliedBy(5));
        } catch (IOException e) {
            throw new EnvironmentException("cannot prepare the workbook: " + e.getMessage(), e);
        }
        try {
            dir = Files.createTempDirectory("t2s-sheet-");
        } catch (IOException e) {
            lease.close();
            throw new EnvironmentException("cannot prepare the workbook: " + e.getMessage(), e);
        }
        try {
            Path copy = dir.resolve("input.xlsx");
            Files.copy(input, copy, StandardCopyOption.REPLACE_EXISTING);
            output = dir.resolve("output.xlsx");
            try (InputStream in = Files.newInputStream(copy)) {
                wb = new XSSFWorkbook(in);
            }
            evaluator = wb.getCreationHelper().createFormulaEvaluator();
        } catch (IOException | RuntimeException e) {
            LibreOfficeRecalculator.deleteTree(dir);
            lease.close();
            throw new EnvironmentException("cannot open the workbook: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a zip whose parts inflate beyond the limit before POI builds the whole workbook in memory; returns the
     * unzipped size.
     */
    static long checkInflatedSize(Path file, long max) throws IOException {
        long total = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            int entries = 0;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (++entries > 20_000) {
                    throw new EnvironmentException("the workbook has more than 20,000 parts");
                }
                total += Math.max(0, entry.getSize());
                if (total > max) {
                    throw new EnvironmentException("the workbook inflates to more than " + max + " bytes");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new EnvironmentException("not a workbook (xlsx is a zip): " + e.getMessage(), e);
        }
        return total;
    }

    void changed() {
        changes++;
        evaluator.clearAllCachedResultValues();
    }

    /**
     * Writes the workbook to {@code output.xlsx}. With POI as the recalculator every formula is recalculated in place
     * first (the same evaluation the checker would run on the file, without loading a second copy).
     */
    Path save() throws IOException {
        savedRecalculation = settings.recalculator().equals("poi")
                ? PoiRecalculator.evaluateAll(wb, settings.recalcTimeout(), System.nanoTime()) : null;
        try (OutputStream out = Files.newOutputStream(output)) {
            wb.write(out);
        }
        saved = true;
        return output;
    }

    @Override
    public void close() {
        try {
            wb.close();
        } catch (IOException ignored) {
            // closing
        } finally {
            lease.close();
        }
        LibreOfficeRecalculator.deleteTree(dir);
    }
}
