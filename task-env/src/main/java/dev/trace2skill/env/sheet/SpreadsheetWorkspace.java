package dev.trace2skill.env.sheet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.CheckResult;
import dev.trace2skill.env.Workspace;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One spreadsheet episode: the private workbook, its tools, and the check of the output written by {@code finish}.
 * {@link #replay} re-runs a recorded episode's writes, row and column changes (and its finish) on a fresh copy, which
 * reconstructs the agent's output for an error analyst; {@link #analystTools} adds {@code check_output}.
 */
final class SpreadsheetWorkspace implements Workspace {
    static final Set<String> REPLAYED = Set.of("write_range", "insert_rows", "delete_rows", "insert_columns", "delete_columns", "recalculate", "finish");

    private final SpreadsheetEnvironment environment;
    private final Task task;
    private final SpreadsheetTaskFiles files;
    private final WorkbookSession session;
    private final WorkbookTools tools;
    private WorkbookSession input;

    SpreadsheetWorkspace(SpreadsheetEnvironment environment, Task task, SpreadsheetTaskFiles files, WorkbookSession session) {
        this.environment = environment;
        this.task = task;
        this.files = files;
        this.session = session;
        this.tools = new WorkbookTools(session);
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public String domain() {
        return environment.domain();
    }

    @Override
    public List<Object> tools() {
        return List.of(tools);
    }

    @Override
    public List<Object> analystTools(CheckOptions options) {
        return List.of(tools, new WorkbookCheckTool(this, options));
    }

    @Override
    public int changes() {
        return session.changes;
    }

    /** A second private copy of the input workbook, opened on first use, read through {@link InputWorkbookTools}. */
    @Override
    public synchronized List<Object> inputTools() {
        if (input == null) {
            input = new WorkbookSession(files.input(), session.settings);
        }
        return List.of(new InputWorkbookTools(new WorkbookTools(input)));
    }

    @Override
    public String briefing() {
        return "The workbook is open; change it with the workbook tools and call finish when the answer is in place.";
    }

    @Override
    public boolean finished() {
        return session.saved;
    }

    @Override
    public String submittedAnswer() {
        return null;
    }

    /** Scores the output written by finish (the final text answer is not used). */
    @Override
    public CheckResult check(String finalAnswer, CheckOptions options) {
        return environment.score(files, session.saved ? session.output : null, options, session.savedRecalculation);
    }

    /** Scores the workbook as it is now (written to the output file first), for check_output. */
    CheckResult checkCurrent(CheckOptions options) {
        try {
            session.save();
        } catch (java.io.IOException | RuntimeException e) {
            return new CheckResult(false, (options == null ? CheckOptions.DEFAULT : options).mode().label(), List.of(), List.of(),
                    List.of("the workbook cannot be saved: " + PoiRecalculator.reason(e)), "not compared", null);
        }
        return environment.score(files, session.output, options, session.savedRecalculation);
    }

    @Override
    public Replay replay(List<ToolCall> calls) {
        int replayed = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (ToolCall call : calls == null ? List.<ToolCall>of() : calls) {
            if (call == null || !REPLAYED.contains(call.tool())) {
                skipped++;
                continue;
            }
            JsonNode a = call.arguments();
            String result = switch (call.tool()) {
                case "write_range" -> tools.writeRange(text(a, "range"), a.has("values") && !a.get("values").isTextual()
                        ? a.get("values").toString() : text(a, "values"));
                case "insert_rows" -> tools.insertRows(text(a, "sheet"), a.path("row").asInt(), a.path("count").asInt());
                case "delete_rows" -> tools.deleteRows(text(a, "sheet"), a.path("row").asInt(), a.path("count").asInt());
                case "insert_columns" -> tools.insertColumns(text(a, "sheet"), text(a, "column"), a.path("count").asInt());
                case "delete_columns" -> tools.deleteColumns(text(a, "sheet"), text(a, "column"), a.path("count").asInt());
                case "recalculate" -> tools.recalculate();
                default -> tools.finish();
            };
            replayed++;
            if (result.startsWith("refused") || result.startsWith("could not") || result.contains("not written:")
                    || result.startsWith("values must") || result.startsWith("no sheet") || result.startsWith("count must")) {
                failures.add(call.tool() + ": " + result.lines().findFirst().orElse(result));
            }
        }
        return new Replay(replayed, skipped, failures);
    }

    private static String text(JsonNode args, String field) {
        JsonNode n = args.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    @Override
    public synchronized void close() {
        session.close();
        if (input != null) {
            input.close();
        }
    }
}
