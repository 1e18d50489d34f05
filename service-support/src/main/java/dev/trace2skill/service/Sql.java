package dev.trace2skill.service;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Small JDBC helpers the services' stores share. */
public final class Sql {
    private Sql() {
    }

    /** Runs one INSERT/UPDATE/DELETE with positional arguments; returns the rows changed. */
    public static int update(DataSource dataSource, String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
