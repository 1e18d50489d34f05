package dev.trace2skill.env.sheet;

import dev.trace2skill.env.CheckResult;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.FormulaError;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Recalculation with headless LibreOffice Calc (Debian's {@code libreoffice-calc-nogui}): a real {@code soffice}
 * process per recalculation, converting the workbook to xlsx with its own fresh profile directory
 * ({@code -env:UserInstallation}) in which Calc is told to recalculate every formula on load and never to update links
 * to other files. The process (and what it started) is killed after the time limit. Formula cells whose result is
 * {@code #NAME?} (a function LibreOffice does not know) are reported as not evaluated.
 */
public final class LibreOfficeRecalculator implements Recalculator {
    private final String soffice;
    private final Duration timeout;

    public LibreOfficeRecalculator(String soffice, Duration timeout) {
        this.soffice = soffice;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "libreoffice";
    }

    /** Whether the command runs here ({@code soffice --version}). */
    public boolean available() {
        try {
            Process p = new ProcessBuilder(soffice, "--version").redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static final String PROFILE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
            <item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
            <item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
            <item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
            </oor:items>
            """;

    @Override
    public Recalculation recalculate(Path in, Path out) throws IOException {
        long start = System.nanoTime();
        Path work = Files.createTempDirectory("t2s-lo-");
        try {
            Path profile = Files.createDirectories(work.resolve("profile/user"));
            Files.writeString(profile.resolve("registrymodifications.xcu"), PROFILE, StandardCharsets.UTF_8);
            Path source = Files.createDirectories(work.resolve("in")).resolve("book.xlsx");
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            Path outDir = Files.createDirectories(work.resolve("out"));
            ProcessBuilder pb = new ProcessBuilder(soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                    "-env:UserInstallation=" + work.resolve("profile").toUri(), "--convert-to", "xlsx", "--outdir", outDir.toString(),
                    source.toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("soffice.log").toFile());
            pb.environment().put("HOME", work.toString());
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while LibreOffice recalculated");
            }
            if (!done) {
                kill(p);
                throw new IOException("LibreOffice did not finish within " + timeout.toSeconds() + " s");
            }
            Path result = outDir.resolve("book.xlsx");
            if (p.exitValue() != 0 || !Files.isRegularFile(result)) {
                String log = Files.exists(work.resolve("soffice.log")) ? Files.readString(work.resolve("soffice.log"), StandardCharsets.UTF_8).strip() : "";
                throw new IOException("LibreOffice could not convert the workbook (exit " + p.exitValue() + ")" + (log.isEmpty() ? "" : ": " + log));
            }
            Files.copy(result, out, StandardCopyOption.REPLACE_EXISTING);
            return scan(out, (System.nanoTime() - start) / 1_000_000);
        } finally {
            deleteTree(work);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts the formulas of the recalculated workbook and lists those that came out as #NAME?. */
    private static Recalculation scan(Path file, long millis) throws IOException {
        PoiLimits.apply();
        int formulas = 0;
        int failed = 0;
        List<String> notEvaluated = new ArrayList<>();
        try (InputStream s = Files.newInputStream(file); XSSFWorkbook wb = new XSSFWorkbook(s)) {
            for (int i = 0; i < wb.getNumberOfSheets(); i++) {
                XSSFSheet sheet = wb.getSheetAt(i);
                for (Row row : sheet) {
                    for (Cell cell : row) {
                        if (cell.getCellType() != CellType.FORMULA) {
                            continue;
                        }
                        formulas++;
                        if (cell.getCachedFormulaResultType() == CellType.ERROR && cell.getErrorCellValue() == FormulaError.NAME.getCode()) {
                            failed++;
                            if (notEvaluated.size() < CheckResult.MAX_LISTED) {
                                notEvaluated.add(SpreadsheetChecker.address(sheet.getSheetName(), cell.getRowIndex() + 1, cell.getColumnIndex() + 1)
                                        + ": #NAME? (a function LibreOffice does not know: " + cell.getCellFormula() + ")");
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("LibreOffice wrote an unreadable workbook: " + e.getMessage(), e);
        }
        return new Recalculation(formulas, notEvaluated, failed, millis);
    }

    static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
