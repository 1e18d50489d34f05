package dev.trace2skill.env.sheet;

import dev.trace2skill.env.CheckOptions.Mode;
import org.apache.poi.ss.usermodel.FormulaError;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker's semantics on workbooks built for each edge case: the verdicts are those of the benchmark's evaluation
 * script (run on these same files with openpyxl while writing this test; see the README).
 */
class SpreadsheetCheckerTest {
    @TempDir
    Path dir;

    Path golden() {
        return Books.write(dir.resolve("golden.xlsx"), wb -> {
            XSSFSheet s = wb.createSheet("Sheet1");
            Books.set(s, "A1", 3.14159);
            Books.set(s, "A2", "001");
            Books.set(s, "A3", 45000.0, "yyyy-mm-dd");          // a date: serial 45000
            Books.set(s, "A4", 45000.5, "yyyy-mm-dd hh:mm");    // noon: rounds half to even, to 45000
            Books.set(s, "A5", 0.5 + 30 / 86400.0, "h:mm:ss");  // a time: 12:00:30, compared as 12:00
            Books.set(s, "A6", "");                             // an empty string
            Books.set(s, "A7", true);
            Books.set(s, "A8", "Total");
            Books.set(s, "A9", 2.675);                          // 2.67499999… rounds to 2.67
            Books.set(s, "A10", "nan");                         // float('nan') never equals itself
            Books.set(s, "B1", "kept");
            Books.merge(s, "B1:C1");                            // C1 is hidden by the merge
            Books.set(s, "C1", "hidden");
            XSSFSheet t = wb.createSheet("My Sheet");
            Books.set(t, "B2", 7.0);
            var error = t.createRow(2).createCell(1);
            error.setCellErrorValue(FormulaError.NA.getCode());
        });
    }

    SpreadsheetChecker.Outcome check(Path output, String position, Mode mode) {
        return SpreadsheetChecker.check(golden(), output, position, null, mode, true);
    }

    @Test
    void valuesAreComparedAsTheBenchmarkTransformsThem() {
        Path out = Books.write(dir.resolve("out.xlsx"), wb -> {
            XSSFSheet s = wb.createSheet("Sheet1");
            Books.set(s, "A1", "3.14");                 // a numeric string equals the number to 2 decimals
            Books.set(s, "A2", 1.0);                    // "001" is a number too
            Books.set(s, "A3", 45000.0);                // the serial number equals the date
            Books.set(s, "A4", 45000.0);                // 45000.5 → 45000 (half to even)
            Books.set(s, "A5", "12:00");                // the time as HH:MM text
            // A6 left empty: equals the empty string
            Books.set(s, "A7", 1.0);                    // TRUE is the number 1 to Python
            Books.set(s, "A8", "Total");
            Books.set(s, "A9", 2.67);
            Books.set(s, "A10", "x");
            Books.set(s, "B1", "kept");
            XSSFSheet t = wb.createSheet("My Sheet");
            Books.set(t, "B2", "7");
            Books.set(t, "B3", "#N/A");                 // an error code is its text
        });
        SpreadsheetChecker.Outcome o = check(out, "A1:A9,'My Sheet'!B2:B3,B1:C1", Mode.OFFICIAL);
        assertThat(o.problems()).isEmpty();
        assertThat(o.mismatches()).isEmpty();
        assertThat(o.passed()).isTrue();
        assertThat(o.cellsCompared()).isEqualTo(13);
        // A10: "nan" against "x" differs, and "nan" against itself too (NaN != NaN), as in the benchmark
        assertThat(check(out, "A10", Mode.OFFICIAL).mismatches()).containsExactly("Sheet1!A10");
        assertThat(SpreadsheetChecker.check(golden(), golden(), "A10", null, Mode.OFFICIAL, false).passed()).isFalse();
    }

    @Test
    void differencesAreNamedByAddressAndTheExpectedValueOnlyWhenRevealed() {
        Path out = Books.write(dir.resolve("out.xlsx"), wb -> {
            XSSFSheet s = wb.createSheet("Sheet1");
            Books.set(s, "A1", 3.15);                   // 3.15 ≠ 3.14
            Books.set(s, "A2", "1");
            Books.set(s, "A3", 45001.0);                // a day off
            Books.set(s, "A4", 45000.0);
            Books.set(s, "A5", 0.5);                    // a number is not the time text
            Books.set(s, "A6", " ");                    // a space is not empty
            Books.set(s, "A7", "TRUE");                 // the text TRUE is not the boolean
            Books.set(s, "A8", "total");                // case matters
            XSSFSheet t = wb.createSheet("My Sheet");
            Books.set(t, "B2", 7.001);                  // 7.0 to 2 decimals: equal
        });
        SpreadsheetChecker.Outcome o = SpreadsheetChecker.check(golden(), out, "Sheet1!A1:A8,'My Sheet'!B2", null, Mode.OFFICIAL, false);
        assertThat(o.passed()).isFalse();
        assertThat(o.mismatches()).containsExactly("Sheet1!A1", "Sheet1!A3", "Sheet1!A5", "Sheet1!A6", "Sheet1!A7", "Sheet1!A8");
        assertThat(o.revealed()).isEmpty();
        SpreadsheetChecker.Outcome shown = check(out, "A1", Mode.OFFICIAL);
        assertThat(shown.revealed()).containsExactly("Sheet1!A1: expected 3.14, got 3.15");
    }

    @Test
    void aMissingSheetOrUnreadableOutputFails() {
        Path other = Books.write(dir.resolve("other.xlsx"), wb -> Books.set(wb.createSheet("Sheet1"), "A1", 3.14));
        SpreadsheetChecker.Outcome o = check(other, "'My Sheet'!B2", Mode.OFFICIAL);
        assertThat(o.passed()).isFalse();
        assertThat(o.problems()).containsExactly("worksheet 'My Sheet' not found in the output");
        Path broken = Books.write(dir.resolve("ok.xlsx"), wb -> wb.createSheet("Sheet1"));
        try {
            java.nio.file.Files.write(broken, "not a zip".getBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SpreadsheetChecker.Outcome b = check(broken, "A1", Mode.OFFICIAL);
        assertThat(b.passed()).isFalse();
        assertThat(b.problems().get(0)).startsWith("the output workbook cannot be read");
    }

    @Test
    void malformedPositionsFollowTheBenchmarkInOfficialModeAndAreNormalisedInLenientMode() {
        Path g = golden();
        // spaces after commas: official reads " A2" as a column name that is no column and fails
        assertThat(SpreadsheetChecker.check(g, g, "A1, A2", null, Mode.OFFICIAL, false).passed()).isFalse();
        assertThat(SpreadsheetChecker.check(g, g, "A1, A2", null, Mode.LENIENT, false).passed()).isTrue();
        // a no-break space before the quoted sheet: official looks for a sheet named "\u00a0'My Sheet"
        assertThat(SpreadsheetChecker.check(g, g, "\u00a0'My Sheet'!B2", null, Mode.OFFICIAL, false).problems())
                .containsExactly("worksheet '\u00a0'My Sheet' not found in the output");
        assertThat(SpreadsheetChecker.check(g, g, "\u00a0'My Sheet'!B2", null, Mode.LENIENT, false).passed()).isTrue();
        // column-only ranges: official cannot read a row number; lenient takes the used rows
        assertThat(SpreadsheetChecker.check(g, g, "'My Sheet'!A:C", null, Mode.OFFICIAL, false).passed()).isFalse();
        SpreadsheetChecker.Outcome cols = SpreadsheetChecker.check(g, g, "'My Sheet'!A:C", null, Mode.LENIENT, false);
        assertThat(cols.passed()).isTrue();
        assertThat(cols.cellsCompared()).isEqualTo(9);
        // unbalanced quotes are stripped from either end in both modes
        assertThat(SpreadsheetChecker.check(g, g, "My Sheet'!B2", null, Mode.OFFICIAL, false).passed()).isTrue();
        assertThat(SpreadsheetChecker.check(g, g, "'My Sheet!'B2", null, Mode.OFFICIAL, false).passed()).isTrue();
        // a row-only end yields no cells in official mode (so anything passes); lenient reads B2:B3
        Path empty = Books.write(dir.resolve("empty.xlsx"), wb -> wb.createSheet("My Sheet"));
        assertThat(SpreadsheetChecker.check(g, empty, "'My Sheet'!B2:3", null, Mode.OFFICIAL, false).passed()).isTrue();
        assertThat(SpreadsheetChecker.check(g, empty, "'My Sheet'!B2:3", null, Mode.LENIENT, false).mismatches())
                .containsExactly("'My Sheet'!B2", "'My Sheet'!B3");
        // a comma inside a quoted sheet name: official splits it; lenient keeps the name whole
        Path commas = Books.write(dir.resolve("commas.xlsx"), wb -> Books.set(wb.createSheet("a, b"), "A1", 1.0));
        assertThat(SpreadsheetChecker.check(commas, commas, "'a, b'!A1", null, Mode.OFFICIAL, false).passed()).isFalse();
        assertThat(SpreadsheetChecker.check(commas, commas, "'a, b'!A1", null, Mode.LENIENT, false).passed()).isTrue();
        // no sheet: the golden workbook's first sheet; lenient uses the task's answer sheet when it names one
        assertThat(SpreadsheetChecker.check(g, g, "B2", "My Sheet", Mode.LENIENT, false).cellsCompared()).isEqualTo(1);
        Path firstOnly = Books.write(dir.resolve("first.xlsx"), wb -> {
            wb.createSheet("Sheet1");
            wb.createSheet("My Sheet");
        });
        assertThat(SpreadsheetChecker.check(g, firstOnly, "B2", "My Sheet", Mode.OFFICIAL, false).passed()).isTrue(); // Sheet1!B2 is empty in both
        assertThat(SpreadsheetChecker.check(g, firstOnly, "B2", "My Sheet", Mode.LENIENT, false).mismatches()).containsExactly("'My Sheet'!B2");
    }
}
