package dev.trace2skill.evaluator;

import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.TaskEnvironments;
import dev.trace2skill.env.sheet.SpreadsheetSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task environments (task-env) the evaluator's agent and its check endpoint use, over the data folder, with the
 * spreadsheet settings from {@code t2s.evaluator.spreadsheet.*}.
 */
@ApplicationScoped
public class Environments {
    @Inject
    EvaluatorConfig config;
    @Inject
    TaskSource tasks;

    private final Map<Path, TaskEnvironments> byDir = new ConcurrentHashMap<>();

    public TaskEnvironments forDataDir(Path dataDir) {
        return byDir.computeIfAbsent(dataDir.toAbsolutePath().normalize(), d -> TaskEnvironments.standard(d, settings()));
    }

    /** The environments over the configured data folder, or null when there is none. */
    public TaskEnvironments current() {
        return tasks.dataDir().map(this::forDataDir).orElse(null);
    }

    public SpreadsheetSettings settings() {
        EvaluatorConfig.Spreadsheet s = config.spreadsheet();
        SpreadsheetSettings d = SpreadsheetSettings.DEFAULTS;
        return new SpreadsheetSettings(s.recalculator(), s.soffice(), s.recalcTimeout(), Math.max(d.maxWorkbookBytes(), s.maxUploadBytes()),
                d.maxUnzippedBytes(), d.maxReadCells(), d.maxWriteCells(), d.maxEpisodeWrites(), d.maxShift(), d.maxScanCells(),
                d.maxObservationChars());
    }

    /** How episodes are checked: the configured mode, workbooks recalculated, nothing revealed. */
    public CheckOptions checkOptions() {
        return new CheckOptions(CheckOptions.Mode.parse(config.spreadsheet().mode()), true, false);
    }
}
