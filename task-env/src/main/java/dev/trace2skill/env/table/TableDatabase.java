package dev.trace2skill.env.table;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * One WikiTableQuestions table in an in-memory H2 database, as table {@code t}. The CSV is read with Commons CSV in the
 * dataset's dialect (double quotes, backslash-escaped quotes inside values); header names are kept as the column names,
 * with empty ones named {@code col_N} and repeated ones suffixed {@code _2}, {@code _3}, … so every table loads.
 * Columns are text; the agent casts as needed. The table is loaded by the administrator; the agent's SQL runs as a user
 * that may only read it (no file functions, no DDL), with a time limit, and at most {@value #MAX_ROWS} rows come back.
 */
final class TableDatabase implements AutoCloseable {
    static final int MAX_ROWS = 50;
    static final CSVFormat WIKITQ_CSV = CSVFormat.DEFAULT.builder().setEscape('\\').setIgnoreEmptyLines(true).get();

    private final Connection admin;
    private final Connection agent;
    private final List<String> columns;

    TableDatabase(Path csv) throws SQLException {
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("table not found: " + csv);
        }
        List<List<String>> records = read(csv);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("table " + csv + " is empty");
        }
        columns = columnNames(records.get(0));
        // in memory, gone when the last connection closes
        String url = "jdbc:h2:mem:t" + UUID.randomUUID().toString().replace("-", "");
        admin = connect(url, "sa", "");
        try (Statement s = admin.createStatement()) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE t (");
            for (int i = 0; i < columns.size(); i++) {
                ddl.append(i == 0 ? "" : ", ").append(quote(columns.get(i))).append(" VARCHAR");
            }
            s.execute(ddl.append(')').toString());
        }
        StringBuilder insert = new StringBuilder("INSERT INTO t VALUES (");
        for (int i = 0; i < columns.size(); i++) {
            insert.append(i == 0 ? "?" : ", ?");
        }
        try (PreparedStatement ps = admin.prepareStatement(insert.append(')').toString())) {
            for (List<String> row : records.subList(1, records.size())) {
                for (int i = 0; i < columns.size(); i++) {
                    ps.setString(i + 1, i < row.size() ? row.get(i) : null);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE USER agent PASSWORD 'agent'");
            s.execute("GRANT SELECT ON t TO agent");
        }
        agent = connect(url, "agent", "agent");
        agent.setReadOnly(true);
    }

    /** H2's own data source, not DriverManager: no dependence on which class loader registered the driver. */
    private static Connection connect(String url, String user, String password) throws SQLException {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds.getConnection();
    }

    static List<List<String>> read(Path csv) {
        List<List<String>> out = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8); CSVParser parser = WIKITQ_CSV.parse(in)) {
            for (CSVRecord r : parser) {
                out.add(r.toList());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read table " + csv + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Header names made unique and non-empty, in order. */
    static List<String> columnNames(List<String> header) {
        List<String> out = new ArrayList<>(header.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String base = header.get(i).strip().replaceAll("\\s+", " ");
            if (base.isEmpty()) {
                base = "col_" + (i + 1);
            }
            String name = base;
            for (int n = 2; !seen.add(name.toLowerCase(Locale.ROOT)); n++) {
                name = base + "_" + n;
            }
            out.add(name);
        }
        return out;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    List<String> columns() {
        return columns;
    }

    int rows() throws SQLException {
        try (Statement s = agent.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Runs a query as the agent and renders the result as a small table. */
    String query(String sql) throws SQLException {
        try (Statement s = agent.createStatement()) {
            s.setQueryTimeout(5);
            s.setMaxRows(MAX_ROWS + 1);
            try (ResultSet rs = s.executeQuery(sql)) {
                ResultSetMetaData md = rs.getMetaData();
                StringBuilder out = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    out.append(i == 1 ? "" : " | ").append(md.getColumnLabel(i));
                }
                out.append('\n');
                int n = 0;
                while (rs.next()) {
                    if (++n > MAX_ROWS) {
                        out.append("… (more rows; add LIMIT or aggregate)\n");
                        break;
                    }
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        out.append(i == 1 ? "" : " | ").append(rs.getString(i));
                    }
                    out.append('\n');
                }
                if (n == 0) {
                    out.append("(no rows)\n");
                }
                return out.toString();
            }
        }
    }

    @Override
    public void close() {
        try {
            agent.close();
        } catch (SQLException ignored) {
            // closing
        }
        try {
            admin.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
