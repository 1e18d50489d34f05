package dev.trace2skill.env.sheet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.trace2skill.core.json.Json;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Every workbook tool on a small workbook of our own: what it answers, what it changes, what it refuses. */
class WorkbookToolsTest {
    @TempDir
    Path dir;
    WorkbookSession session;
    WorkbookTools tools;

    @BeforeEach
    void open() {
        Path input = Books.write(dir.resolve("input.xlsx"), wb -> {
            XSSFSheet s = wb.createSheet("Sales");
            Books.set(s, "A1", "Region");
            Books.set(s, "B1", "Units");
            Books.set(s, "C1", "Price");
            Books.set(s, "A2", "North");
            Books.set(s, "B2", 10.0);
            Books.set(s, "C2", 2.5);
            Books.set(s, "A3", "South");
            Books.set(s, "B3", 4.0);
            Books.set(s, "C3", 3.0);
            Books.set(s, "A4", "Total");
            Books.set(s, "B4", "=SUM(B2:B3)");
            Books.set(s, "D2", 45000.0, "yyyy-mm-dd");
            Books.merge(s, "A6:C6");
            Books.set(s, "A6", "Notes");
            Books.set(wb.createSheet("Q 2"), "A1", "second sheet");
            wb.getCreationHelper().createFormulaEvaluator().evaluateAll();
        });
        SpreadsheetSettings small = new SpreadsheetSettings("poi", "soffice", Duration.ofSeconds(30), 1_000_000, 50_000_000,
                6, 8, 12, 3, 1000, 4000);
        session = new WorkbookSession(input, small);
        tools = new WorkbookTools(session);
    }

    @AfterEach
    void close() {
        session.close();
        assertThat(Files.exists(session.dir)).as("the episode's folder is deleted").isFalse();
    }

    @Test
    void listReadAndFind() {
        assertThat(tools.listSheets()).isEqualTo("""
                2 sheets:
                1. Sales: used A1:D6 (6 rows, 4 columns); merged: A6:C6
                2. 'Q 2': used A1:A1 (1 rows, 1 columns)
                """);
        assertThat(tools.readRange("Sales!A1:C2")).isEqualTo("""
                Sales!A1:C2:
                A1: "Region" | B1: "Units" | C1: "Price"
                A2: "North" | B2: 10 | C2: 2.5
                """);
        assertThat(tools.readRange("B4:D4")).contains("B4: =SUM(B2:B3) → 14");
        assertThat(tools.readRange("Sales!D2")).contains("D2: 45000 (shown as 2023-03-15)");
        assertThat(tools.readRange("'Q 2'!A1")).contains("A1: \"second sheet\"");
        // at most 6 cells a call here: the rest is left for another call
        assertThat(tools.readRange("Sales!A1:C4")).contains("stopped at A3 after 6 cells");
        assertThat(tools.readRange("Nope!A1")).startsWith("no sheet 'Nope'; sheets: Sales, 'Q 2'");
        assertThat(tools.readRange("Sales!A1:ZZZZ9")).contains("is not a cell or range");
        assertThat(tools.findText("total", "")).isEqualTo("Sales!A4: \"Total\"");
        assertThat(tools.findText("SUM(", "Sales")).contains("Sales!B4: =SUM(B2:B3) → 14");
        assertThat(tools.findText("absent", null)).isEqualTo("No cell contains 'absent'.");
    }

    @Test
    void writeValuesAndFormulasThenRecalculateAndFinish() throws Exception {
        assertThat(tools.writeRange("Sales!D3", "[[\"=B3*C3\"]]")).isEqualTo("""
                Wrote 1 cell in Sales!D3.
                D3: =B3*C3 → 12
                (other formulas that depend on these show their new values after recalculate)""");
        assertThat(tools.writeRange("Sales!B2:B3", "[[20], [5]]")).startsWith("Wrote 2 cells in Sales!B2:B3.");
        // B4 still shows its old value until recalculated
        assertThat(tools.readRange("Sales!B4")).contains("→ 14");
        assertThat(tools.recalculate()).isEqualTo("Recalculated 2 formulas.");
        assertThat(tools.readRange("Sales!B4")).contains("→ 25");
        assertThat(tools.readRange("Sales!D3")).contains("→ 15");
        // one value fills a range; a flat array fills one row; null clears
        assertThat(tools.writeRange("Sales!E1:E2", "\"x\"")).startsWith("Wrote 2 cells");
        assertThat(tools.writeRange("Sales!E1", "[null, true]")).startsWith("Wrote 2 cells in Sales!E1:F1");
        assertThat(tools.readRange("Sales!E1:F2")).contains("F1: TRUE", "E2: \"x\"").doesNotContain("E1: ");
        // shapes that do not fit are refused, not guessed
        assertThat(tools.writeRange("Sales!A1:B2", "[[1, 2, 3]]")).startsWith("values must be a JSON array of rows of the range's size (2 x 2)");
        // an unknown function is written but reported as not evaluated
        assertThat(tools.writeRange("Sales!G1", "\"=NOSUCHFN(1)\"")).contains("G1: =NOSUCHFN(1) → not evaluated");
        assertThat(tools.recalculate()).contains("could not be evaluated here", "Sales!G1");
        assertThat(session.saved).isFalse();
        assertThat(tools.finish()).isEqualTo("Saved the output workbook. The task is finished.");
        assertThat(session.saved).isTrue();
        SpreadsheetChecker.Outcome written = SpreadsheetChecker.check(session.output, session.output, "Sales!B2:B4", null,
                dev.trace2skill.env.CheckOptions.Mode.OFFICIAL, false);
        assertThat(written.passed()).isTrue();
    }

    @Test
    void rowsAndColumnsMoveAndFormulasFollow() {
        assertThat(tools.insertRows("Sales", 3, 2)).isEqualTo("Inserted 2 rows before row 3 of Sales.");
        assertThat(tools.readRange("Sales!A5:B6")).contains("A5: \"South\"", "A6: \"Total\" | B6: =SUM(B2:B5)");
        assertThat(tools.deleteRows("Sales", 3, 2)).isEqualTo("Deleted 2 rows from row 3 of Sales.");
        assertThat(tools.readRange("Sales!A3:B4")).contains("A3: \"South\"", "B4: =SUM(B2:B3)");
        assertThat(tools.insertColumns("", "B", 1)).isEqualTo("Inserted 1 column before column B of Sales.");
        assertThat(tools.readRange("Sales!A1:D1")).contains("C1: \"Units\"");
        assertThat(tools.readRange("Sales!C4")).contains("=SUM(C2:C3)");
        assertThat(tools.deleteColumns("Sales", "B", 1)).isEqualTo("Deleted 1 column from column B of Sales.");
        assertThat(tools.readRange("Sales!B1:B4")).contains("B1: \"Units\"", "B4: =SUM(B2:B3)");
        // bounded: at most 3 rows a call here; bad input answered, nothing changed
        assertThat(tools.insertRows("Sales", 2, 4)).isEqualTo("count must be between 1 and 3");
        assertThat(tools.deleteColumns("Sales", "??", 1)).isEqualTo("'??' is not a column (A..XFD)");
        assertThat(tools.insertRows("Nope", 2, 1)).startsWith("no sheet 'Nope'");
    }

    @Test
    void formulasThatReachOutsideTheWorkbookAreRefusedAndNothingIsWritten() {
        for (String f : new String[]{"=[Other.xlsx]Sheet1!A1", "='C:\\data\\[book.xlsx]Sheet1'!A1", "=[1]Sheet1!A1", "=WEBSERVICE(\"http://x\")",
                "=_xlfn.WEBSERVICE(A1)", "=FILTERXML(A1, \"//a\")", "=RTD(\"x\",,\"y\")", "=CALL(\"kernel32\",\"x\")", "=INFO(\"directory\")",
                "=CELL(\"filename\", A1)", "=IMAGE(\"https://x/y.png\")", "=cmd|'/c calc'!A1", "=HYPERLINK(\"file:///etc/passwd\")",
                "=INDIRECT(\"'file:///etc/passwd'#$Sheet1.A1\")", "=REGISTER.ID(\"x\",\"y\")"}) {
            String answer = tools.writeRange("Sales!H1:H2", "[[1], [" + Json.write(f) + "]]");
            assertThat(answer).as(f).startsWith("refused").endsWith("Nothing was written.");
        }
        assertThat(tools.readRange("Sales!H1:H2")).endsWith("(2 rows with no values)\n");
        // ordinary functions and structured text are fine
        assertThat(tools.writeRange("Sales!H1", "\"=CELL(\\\"address\\\", A1)&\\\"|\\\"\"")).startsWith("Wrote 1 cell");
    }

    @Test
    void workPerCallAndPerEpisodeIsBounded() {
        // 8 cells a call and 12 an episode here
        assertThat(tools.writeRange("Sales!H1:H9", "0")).isEqualTo("that is 9 cells; write at most 8 in one call");
        assertThat(tools.writeRange("Sales!H1:H8", "0")).startsWith("Wrote 8 cells");
        assertThat(tools.writeRange("Sales!I1:I5", "0")).isEqualTo("refused: this episode may write at most 12 cells in all (8 written)");
        assertThat(tools.writeRange("Sales!I1:I4", "0")).startsWith("Wrote 4 cells");
        // answers are cut to the observation limit
        assertThat(tools.writeRange("Sales!J1", Json.write("y".repeat(5000)))).startsWith("refused: this episode");
    }

    @Test
    void theToolsAreValidLangchain4jToolsAndRunThroughItsExecutor() throws Exception {
        assertThat(ToolSpecifications.toolSpecificationsFrom(tools)).extracting(s -> s.name()).containsExactlyInAnyOrder("list_sheets",
                "read_range", "find_text", "write_range", "insert_rows", "delete_rows", "insert_columns", "delete_columns", "recalculate", "finish");
        Method write = Arrays.stream(WorkbookTools.class.getMethods()).filter(m -> m.getName().equals("writeRange")).findFirst().orElseThrow();
        ObjectNode args = Json.mapper().createObjectNode().put("range", "Sales!D3").put("values", "[[\"=B3*C3\"]]");
        String answer = new DefaultToolExecutor(tools, write).execute(
                ToolExecutionRequest.builder().id("1").name("write_range").arguments(args.toString()).build(), "t");
        assertThat(answer).contains("D3: =B3*C3 → 12");
    }
}
