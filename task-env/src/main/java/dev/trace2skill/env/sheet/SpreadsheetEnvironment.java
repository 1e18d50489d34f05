package dev.trace2skill.env.sheet;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.CheckResult;
import dev.trace2skill.env.TaskEnvironment;
import dev.trace2skill.env.Workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Spreadsheet tasks (SpreadsheetBench Verified): each episode works on a private copy of the task's input workbook
 * with {@link WorkbookTools}; its result is the workbook written by {@code finish}, scored by {@link #score}: optionally
 * recalculated (POI by default, LibreOffice as an option), then compared with the golden workbook's cached values by
 * {@link SpreadsheetChecker}. The check endpoint scores uploaded workbooks through the same {@link #score}.
 */
public final class SpreadsheetEnvironment implements TaskEnvironment {
    private final Path dataDir;
    private final SpreadsheetSettings settings;

    public SpreadsheetEnvironment(Path dataDir, SpreadsheetSettings settings) {
        this.dataDir = dataDir;
        this.settings = settings;
    }

    public SpreadsheetSettings settings() {
        return settings;
    }

    @Override
    public String domain() {
        return "spreadsheet";
    }

    @Override
    public boolean handles(Task task) {
        return TaskSets.SPREADSHEET_CHECKER.equals(task.checker());
    }

    @Override
    public Workspace open(Task task) {
        SpreadsheetTaskFiles files = SpreadsheetTaskFiles.of(dataDir, task);
        return new SpreadsheetWorkspace(this, task, files, new WorkbookSession(files.input(), settings));
    }

    /** The task's files (input, golden, answer position), for callers that score workbooks themselves. */
    public SpreadsheetTaskFiles files(Task task) {
        return SpreadsheetTaskFiles.of(dataDir, task);
    }

    /**
     * Scores a produced workbook: recalculated into a temporary copy first when the options say so (the file itself is
     * not changed), then compared with the golden workbook.
     */
    public CheckResult score(Task task, Path workbook, CheckOptions options) {
        return score(files(task), workbook, options, null);
    }

    /**
     * @param alreadyRecalculated the POI recalculation an episode ran on this very workbook when it saved it, or null:
     *                            then the file is not loaded a second time to be recalculated again
     */
    CheckResult score(SpreadsheetTaskFiles files, Path workbook, CheckOptions options, Recalculator.Recalculation alreadyRecalculated) {
        CheckOptions o = options == null ? CheckOptions.DEFAULT : options;
        String mode = o.mode().label();
        if (workbook == null || !Files.isRegularFile(workbook)) {
            return new CheckResult(false, mode, List.of(), List.of(), List.of("no output workbook was written (finish was not called)"),
                    "nothing to compare", null);
        }
        Path compared = workbook;
        Path temp = null;
        List<String> notEvaluated = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String recalculated = "";
        try {
            if (o.recalculate() && alreadyRecalculated != null && settings.recalculator().equals("poi")) {
                notEvaluated.addAll(alreadyRecalculated.notEvaluated());
                recalculated = "recalculated by poi (" + alreadyRecalculated.formulas() + " formulas"
                        + (alreadyRecalculated.notEvaluatedCount() > 0 ? ", " + alreadyRecalculated.notEvaluatedCount() + " not evaluated" : "") + "); ";
            } else if (o.recalculate()) {
                Recalculator r = settings.recalculatorInstance();
                temp = Files.createTempFile("t2s-recalc-", ".xlsx");
                try {
                    Recalculator.Recalculation rc = r.recalculate(workbook, temp);
                    compared = temp;
                    notEvaluated.addAll(rc.notEvaluated());
                    recalculated = "recalculated by " + r.name() + " (" + rc.formulas() + " formulas"
                            + (rc.notEvaluatedCount() > 0 ? ", " + rc.notEvaluatedCount() + " not evaluated" : "") + "); ";
                } catch (IOException e) {
                    problems.add("recalculation by " + r.name() + " failed, so cached values were compared as they were: " + e.getMessage());
                    recalculated = "not recalculated; ";
                }
            }
            SpreadsheetChecker.Outcome out = SpreadsheetChecker.check(files.golden(), compared, files.answerPosition(), files.answerSheet(),
                    o.mode(), o.revealExpected());
            problems.addAll(out.problems());
            String detail = recalculated + out.cellsCompared() + (out.cellsCompared() == 1 ? " cell" : " cells") + " compared, "
                    + out.mismatchCount() + " differ" + (out.mismatchCount() > out.mismatches().size() ? " (first " + out.mismatches().size() + " listed)" : "");
            return new CheckResult(out.passed(), mode, out.mismatches(), notEvaluated, problems, detail,
                    o.revealExpected() ? String.join("\n", out.revealed()) : null);
        } catch (IOException e) {
            return new CheckResult(false, mode, List.of(), notEvaluated, List.of("cannot prepare the check: " + e.getMessage()), "not compared", null);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
