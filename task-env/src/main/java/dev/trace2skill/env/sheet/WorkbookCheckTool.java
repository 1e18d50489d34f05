package dev.trace2skill.env.sheet;

import dev.langchain4j.agent.tool.Tool;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.CheckResult;

/**
 * {@code check_output} for an error analyst replaying a spreadsheet episode: saves the workbook as it is and scores
 * it exactly as the evaluator does; answers PASS or FAIL with the mismatching cell addresses, never the expected
 * values (unless the options reveal them). Never given to the agent being evaluated.
 */
public final class WorkbookCheckTool {
    private final SpreadsheetWorkspace workspace;
    private final CheckOptions options;
    private int calls;
    private CheckResult last;

    WorkbookCheckTool(SpreadsheetWorkspace workspace, CheckOptions options) {
        this.workspace = workspace;
        this.options = options == null ? CheckOptions.DEFAULT : options;
    }

    @Tool(name = "check_output", value = "Save the workbook as it is and check it with the task's checker: PASS, or FAIL with the "
            + "addresses of the cells that differ (the expected values are not shown)")
    public String checkOutput() {
        return check().describe();
    }

    /** The verdict itself (counted like a tool call). */
    public dev.trace2skill.env.CheckResult check() {
        calls++;
        last = workspace.checkCurrent(options);
        return last;
    }

    public int calls() {
        return calls;
    }

    /** The last verdict, or null before the first call. */
    public CheckResult last() {
        return last;
    }
}
