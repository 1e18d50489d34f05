package dev.trace2skill.env.table;

import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The table-QA agent's SQL engine: real CSVs in, read-only SQL out. */
class TableDatabaseTest {
    static final Path OWN = Path.of("src/test/resources/tables/lighthouses.csv");

    @Test
    void loadsTheDatasetDialectAndAnswersSql() throws SQLException {
        try (TableDatabase db = new TableDatabase(OWN)) {
            assertThat(db.columns()).containsExactly("Name", "Height (m)", "Built", "Notes", "Notes_2");
            assertThat(db.rows()).isEqualTo(4);
            assertThat(db.query("SELECT \"Notes\" FROM t WHERE \"Name\" = 'Cape Spire'")).isEqualTo("Notes\ncalled \"the needle\" by sailors\n");
            assertThat(db.query("SELECT \"Notes\" FROM t WHERE \"Name\" = 'North Point'")).contains("rebuilt, 1950");
            assertThat(db.query("SELECT * FROM t WHERE 1 = 0")).endsWith("(no rows)\n");
        }
    }

    @Test
    void theAgentCanOnlyRead() throws SQLException {
        try (TableDatabase db = new TableDatabase(OWN)) {
            for (String sql : List.of("DROP TABLE t", "DELETE FROM t", "CREATE TABLE x (a INT)", "SELECT FILE_READ('/etc/passwd')",
                    "CALL CSVWRITE('/tmp/t2s-leak.csv', 'SELECT * FROM t')", "SELECT * FROM CSVREAD('/etc/passwd')",
                    "CREATE ALIAS X AS 'String x() { return \"\"; }'", "SET DB_CLOSE_DELAY -1")) {
                assertThatThrownBy(() -> db.query(sql)).as(sql).isInstanceOf(SQLException.class);
            }
            assertThat(db.rows()).isEqualTo(4);
            assertThat(Files.exists(Path.of("/tmp/t2s-leak.csv"))).isFalse();
        }
    }

    @Test
    void largeResultsAreCut() throws SQLException {
        try (TableDatabase db = new TableDatabase(OWN)) {
            String out = db.query("SELECT x FROM SYSTEM_RANGE(1, 500)");
            assertThat(out.lines().count()).isEqualTo(1 + TableDatabase.MAX_ROWS + 1);
            assertThat(out).endsWith("… (more rows; add LIMIT or aggregate)\n");
        }
    }

    /** Every table of the public WikiTableQuestions test split loads, with as many columns as its header. */
    @Test
    void everyWikiTqTableLoads() throws Exception {
        Optional<Path> data = SharedData.locate();
        assumeTrue(data.isPresent() && Files.isDirectory(data.get().resolve("tasks/wikitq/csv")), "../shared/data/tasks/wikitq is absent");
        List<Task> tasks = TaskSets.load("wikitq", data.get());
        assertThat(tasks).hasSize(4344);
        List<Path> tables;
        try (Stream<Path> s = tasks.stream().map(t -> TaskSets.tableRoot(data.get()).resolve(t.context().get("table"))).distinct()) {
            tables = s.toList();
        }
        assertThat(tables).hasSize(421);
        List<String> failures = new ArrayList<>();
        long rows = 0;
        for (Path table : tables) {
            try (TableDatabase db = new TableDatabase(table)) {
                assertThat(db.columns()).hasSize(TableDatabase.read(table).get(0).size());
                rows += db.rows();
            } catch (Exception e) {
                failures.add(table + ": " + e.getMessage());
            }
        }
        System.out.printf("WikiTQ: %d tables, %d rows loaded%n", tables.size(), rows);
        assertThat(failures).isEmpty();
    }
}
