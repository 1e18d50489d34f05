package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.Trajectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Trajectories in PostgreSQL, idempotent by id: the same content again is a duplicate, other content a conflict. */
@ApplicationScoped
public class TrajectoryStore {
    public enum Result { ACCEPTED, DUPLICATE, CONFLICT }

    @Inject
    DataSource dataSource;

    /** A trajectory to store, with its size in the upload. */
    public record Incoming(Trajectory trajectory, long bytes) {
    }

    /**
     * Stores a batch in one statement and says, per trajectory (in order), whether it was new, a duplicate of what is
     * stored, or conflicts with a different trajectory stored under the same id (also within the batch itself).
     */
    public List<Result> store(String dataset, String format, List<Incoming> batch) {
        List<Result> results = new ArrayList<>(batch.size());
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        List<Incoming> unique = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Trajectory t = batch.get(i).trajectory();
            String hash = Json.contentHash(t);
            results.add(null);
            String seen = hashes.putIfAbsent(t.id(), hash);
            if (seen == null) {
                firstIndex.put(t.id(), i);
                unique.add(batch.get(i));
            } else {
                results.set(i, seen.equals(hash) ? Result.DUPLICATE : Result.CONFLICT);
            }
        }
        if (unique.isEmpty()) {
            return results;
        }
        int n = unique.size();
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = unique.get(i).trajectory().id();
        }
        Set<String> inserted = new HashSet<>();
        Map<String, String> existing = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            // one multi-row INSERT with a parameter per value: bodies travel as plain text parameters (no text[] literal
            // to escape here and parse on the server, which cost more than the insert itself for bodies of ~10 KB)
            try (PreparedStatement ps = c.prepareStatement(insertSql(n))) {
                int p = 1;
                for (Incoming in : unique) {
                    Trajectory t = in.trajectory();
                    ps.setString(p++, t.id());
                    ps.setString(p++, dataset);
                    ps.setString(p++, hashes.get(t.id()));
                    ps.setBoolean(p++, t.successful());
                    if (t.outcome().reward() == null) {
                        ps.setNull(p++, Types.DOUBLE);
                    } else {
                        ps.setDouble(p++, t.outcome().reward());
                    }
                    ps.setString(p++, t.taskId());
                    ps.setString(p++, t.model());
                    ps.setString(p++, format);
                    ps.setInt(p++, (int) Math.min(Integer.MAX_VALUE, in.bytes()));
                    ps.setString(p++, Json.write(t));
                }
                try (ResultSet rsIds = ps.executeQuery()) {
                    while (rsIds.next()) {
                        inserted.add(rsIds.getString(1));
                    }
                }
            }
            if (inserted.size() < n) {
                try (PreparedStatement ps = c.prepareStatement("SELECT id, content_hash FROM trajectories WHERE id = ANY(?)")) {
                    Array arr = c.createArrayOf("text", ids);
                    ps.setArray(1, arr);
                    try (ResultSet rsHash = ps.executeQuery()) {
                        while (rsHash.next()) {
                            existing.put(rsHash.getString(1), rsHash.getString(2));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store trajectories: " + e.getMessage(), e);
        }
        for (Incoming in : unique) {
            String id = in.trajectory().id();
            int i = firstIndex.get(id);
            if (inserted.contains(id)) {
                results.set(i, Result.ACCEPTED);
            } else {
                results.set(i, hashes.get(id).equals(existing.get(id)) ? Result.DUPLICATE : Result.CONFLICT);
            }
        }
        return results;
    }

    /** {@code INSERT ... VALUES (...), ... ON CONFLICT (id) DO NOTHING RETURNING id} for {@code rows} rows of 10 values. */
    static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(120 + rows * 24).append(
                "INSERT INTO trajectories (id, dataset, content_hash, success, reward, task_id, model, format, bytes, body) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?)");
        }
        return sql.append(" ON CONFLICT (id) DO NOTHING RETURNING id").toString();
    }

    public Optional<String> body(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT body FROM trajectories WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One row of a listing. */
    public record Summary(String id, String dataset, boolean success, Double reward, String taskId, String model,
                          String format, int bytes, String createdAt) {
    }

    public record Page(List<Summary> items, String nextCursor) {
    }

    /**
     * @param outcome null, "success" or "failure"
     * @param cursor  opaque cursor from a previous page, or null
     */
    public Page list(String dataset, String outcome, int limit, String cursor) {
        long after = decodeCursor(cursor);
        StringBuilder sql = new StringBuilder("SELECT seq, id, dataset, success, reward, task_id, model, format, bytes, created_at FROM trajectories WHERE seq > ?");
        if (dataset != null) {
            sql.append(" AND dataset = ?");
        }
        if (outcome != null) {
            sql.append(" AND success = ?");
        }
        sql.append(" ORDER BY seq LIMIT ?");
        List<Summary> items = new ArrayList<>();
        long last = -1;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            ps.setLong(p++, after);
            if (dataset != null) {
                ps.setString(p++, dataset);
            }
            if (outcome != null) {
                ps.setBoolean(p++, outcome.equals("success"));
            }
            ps.setInt(p, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (items.size() == limit) {
                        return new Page(items, encodeCursor(last));
                    }
                    last = rs.getLong(1);
                    Object reward = rs.getObject(5);
                    items.add(new Summary(rs.getString(2), rs.getString(3), rs.getBoolean(4), reward == null ? null : ((Number) reward).doubleValue(),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9), rs.getTimestamp(10).toInstant().toString()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new Page(items, null);
    }

    /** Trajectories for a run: by ids, or by dataset and outcome, oldest first, at most {@code limit}. */
    public List<Trajectory> select(String dataset, String outcome, List<String> ids, int limit) {
        StringBuilder sql = new StringBuilder("SELECT body FROM trajectories WHERE true");
        if (ids != null && !ids.isEmpty()) {
            sql.append(" AND id = ANY(?)");
        }
        if (dataset != null) {
            sql.append(" AND dataset = ?");
        }
        if (outcome != null) {
            sql.append(" AND success = ?");
        }
        sql.append(" ORDER BY seq LIMIT ?");
        List<Trajectory> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            if (ids != null && !ids.isEmpty()) {
                ps.setArray(p++, c.createArrayOf("text", ids.toArray(String[]::new)));
            }
            if (dataset != null) {
                ps.setString(p++, dataset);
            }
            if (outcome != null) {
                ps.setBoolean(p++, outcome.equals("success"));
            }
            ps.setInt(p, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.read(rs.getString(1), Trajectory.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s:" + seq).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
            if (!s.startsWith("s:")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(s.substring(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cursor");
        }
    }
}
