package dev.trace2skill.worker;

import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.EnvironmentException;
import dev.trace2skill.env.ReplaySession;
import dev.trace2skill.env.TaskEnvironments;
import dev.trace2skill.env.TaskLookup;
import dev.trace2skill.env.sheet.SpreadsheetSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where an error analysis replays its trajectory: the task found from the trajectory ({@link TaskLookup}: the task set
 * and task id the evaluator's episodes carry, or the trajectory's own expected answer and checker), opened in the same
 * task environments the evaluator uses (task-env, over the same data folder), with the agent's recorded tool calls
 * re-run. A trajectory without such a task gets no environment, with the reason.
 */
@ApplicationScoped
public class TaskReplays {
    private static final Logger LOG = Logger.getLogger(TaskReplays.class);

    @Inject
    WorkerConfig config;

    private Path dataDir;
    private TaskLookup lookup;
    private TaskEnvironments environments;

    @PostConstruct
    void init() {
        dataDir = config.dataDir().filter(d -> !d.isBlank()).map(Path::of).filter(Files::isDirectory).or(SharedData::locate).orElse(null);
        lookup = new TaskLookup(dataDir);
        // without a data folder only math and plain answers can be set up; tables and workbooks report their folder missing
        environments = TaskEnvironments.standard(dataDir != null ? dataDir : Path.of("/nonexistent-t2s-data"), settings());
        LOG.infof("error analyses replay tasks from %s", dataDir != null ? dataDir : "no data folder (only tasks carried by trajectories)");
    }

    SpreadsheetSettings settings() {
        WorkerConfig.Spreadsheet s = config.spreadsheet();
        SpreadsheetSettings d = SpreadsheetSettings.DEFAULTS;
        return new SpreadsheetSettings(s.recalculator(), s.soffice(), d.recalcTimeout(), d.maxWorkbookBytes(), d.maxUnzippedBytes(),
                d.maxReadCells(), d.maxWriteCells(), d.maxEpisodeWrites(), d.maxShift(), d.maxScanCells(), d.maxObservationChars());
    }

    public Path dataDir() {
        return dataDir;
    }

    /** How checks answer: the evaluator's spreadsheet mode, workbooks recalculated, the expected answer only when revealing. */
    CheckOptions checkOptions() {
        CheckOptions o = new CheckOptions(CheckOptions.Mode.parse(config.spreadsheet().mode()), true, false);
        return config.revealExpected() ? o.revealing() : o;
    }

    /**
     * A replay, or why there is none.
     *
     * @param session the open session (close it), or null
     * @param reason  why there is no environment, or null
     */
    record Opened(ReplaySession session, String source, String reason) implements AutoCloseable {
        @Override
        public void close() {
            if (session != null) {
                session.close();
            }
        }
    }

    /** Opens the trajectory's task environment and replays its recorded calls. */
    Opened open(Trajectory t) {
        TaskLookup.Resolution r = lookup.resolve(t);
        if (!r.found()) {
            return new Opened(null, null, r.reason());
        }
        try {
            return new Opened(ReplaySession.open(environments, r.task(), recordedCalls(t), checkOptions(), config.maxChecks()), r.source(), null);
        } catch (EnvironmentException | IllegalArgumentException e) {
            return new Opened(null, r.source(), e.getMessage());
        }
    }

    /** The agent's tool calls in order. */
    static List<ToolCall> recordedCalls(Trajectory t) {
        return t.steps().stream().map(Step::action).filter(Objects::nonNull).toList();
    }

    /**
     * Whether an error analysis of the trajectory could verify its cause (decides the default {@code unverified}
     * policy): its task is found with a ground truth in an environment with tools to reproduce a result in, or, when
     * revealing, the trajectory carries its expected answer. Opens nothing.
     */
    boolean groundTruth(Trajectory t) {
        if (config.revealExpected() && t.expectedAnswer() != null && !t.expectedAnswer().isBlank()) {
            return true;
        }
        TaskLookup.Resolution r = lookup.resolve(t);
        if (!r.found()) {
            return false;
        }
        try {
            String domain = environments.forTask(r.task()).domain();
            return switch (domain) {
                case "spreadsheet" -> true;
                case "answer" -> false; // no tools to reproduce a result with
                default -> r.task().expected() != null && !r.task().expected().isBlank();
            };
        } catch (EnvironmentException e) {
            return false;
        }
    }
}
