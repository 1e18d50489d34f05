package dev.trace2skill.env.table;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;

import java.sql.SQLException;

/** Table-QA tools over the task's table, for real: the columns, and SQL run on the embedded database. */
public final class TableTools {
    private final TableDatabase db;

    TableTools(TableDatabase db) {
        this.db = db;
    }

    @Tool(name = "list_columns", value = "List the columns of table t and how many rows it has")
    public String listColumns() {
        try {
            return "table t, " + db.rows() + " rows, columns: " + String.join(", ", db.columns().stream().map(c -> "\"" + c + "\"").toList());
        } catch (SQLException e) {
            return "SQL error: " + e.getMessage();
        }
    }

    @Tool(name = "run_sql", value = "Run a read-only SQL query (H2 dialect) on table t; quote column names with double quotes")
    public String runSql(@P("the SQL query") String query) {
        try {
            return db.query(query);
        } catch (SQLException e) {
            return "SQL error: " + e.getMessage().lines().findFirst().orElse("");
        }
    }
}
