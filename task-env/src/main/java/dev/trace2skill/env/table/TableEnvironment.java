package dev.trace2skill.env.table;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.env.AnswerWorkspace;
import dev.trace2skill.env.EnvironmentException;
import dev.trace2skill.env.TaskEnvironment;
import dev.trace2skill.env.Workspace;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * Table QA (WikiTableQuestions): each episode loads the task's CSV ({@code context.table}, relative to
 * {@code tasks/wikitq} in the data folder) into its own in-memory H2 database; the agent gets {@code list_columns} and
 * a read-only {@code run_sql}; the answer is scored with the task's checker (the official denotation match).
 */
public final class TableEnvironment implements TaskEnvironment {
    private final Path tableRoot;

    /** @param dataDir the data folder holding {@code tasks/wikitq} */
    public TableEnvironment(Path dataDir) {
        this.tableRoot = dataDir.resolve("tasks/wikitq").toAbsolutePath().normalize();
    }

    @Override
    public String domain() {
        return "table";
    }

    @Override
    public boolean handles(Task task) {
        return task.context().containsKey("table");
    }

    @Override
    public Workspace open(Task task) {
        Path csv = tableRoot.resolve(task.context().get("table")).normalize();
        if (!csv.startsWith(tableRoot)) {
            throw new EnvironmentException("table " + task.context().get("table") + " is outside the table folder");
        }
        TableDatabase db;
        try {
            db = new TableDatabase(csv);
        } catch (SQLException | IllegalArgumentException e) {
            throw new EnvironmentException("cannot load table " + task.context().get("table") + ": " + e.getMessage(), e);
        }
        return new AnswerWorkspace(task, domain(), List.of(new TableTools(db))) {
            @Override
            public String briefing() {
                return "The table is loaded as table t.";
            }

            @Override
            public void close() {
                db.close();
            }
        };
    }
}
