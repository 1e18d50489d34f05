package dev.trace2skill.env.sheet;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;

/**
 * The reading tools of {@link WorkbookTools} over an unchanged copy of the task's input workbook, under their own
 * names, for an error analyst who has the agent's replayed output open with the ordinary tools and wants to see what
 * the agent started from. Nothing here writes.
 */
public final class InputWorkbookTools {
    private final WorkbookTools input;

    InputWorkbookTools(WorkbookTools input) {
        this.input = input;
    }

    @Tool(name = "list_input_sheets", value = "List the sheets of the task's original input workbook (before the agent changed anything)")
    public String listInputSheets() {
        return input.listSheets();
    }

    @Tool(name = "read_input_range", value = "Read a range of the task's original input workbook (before the agent changed anything), "
            + "with formulas shown as =FORMULA → value; e.g. Sheet1!A1:F20")
    public String readInputRange(@P("the range, e.g. Sheet1!A1:F20; no sheet means the first sheet") String range) {
        return input.readRange(range);
    }

    @Tool(name = "find_input_text", value = "Find cells of the task's original input workbook whose text, value or formula contains the given text")
    public String findInputText(@P("the text to look for") String text, @P("a sheet name, or empty for all sheets") String sheet) {
        return input.findText(text, sheet);
    }
}
