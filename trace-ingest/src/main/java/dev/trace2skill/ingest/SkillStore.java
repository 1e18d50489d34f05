package dev.trace2skill.ingest;

import dev.trace2skill.core.skill.SkillBundle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The skill registry: immutable versions numbered 1, 2, … per name, content-addressed (a known hash is not stored twice). */
@ApplicationScoped
public class SkillStore {
    @Inject
    DataSource dataSource;

    public record Version(String name, int version, String hash, String source, int files, int bytes, String createdAt,
                          boolean created) {
    }

    public record Skill(String name, int latestVersion, int versions, String createdAt) {
    }

    /** Stores the bundle as the next version, or returns the existing version with the same content. */
    public Version register(SkillBundle bundle, String source) {
        String hash = bundle.contentHash();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO skills (name) VALUES (?) ON CONFLICT DO NOTHING")) {
                    ps.setString(1, bundle.name());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT name FROM skills WHERE name = ? FOR UPDATE")) {
                    ps.setString(1, bundle.name());
                    ps.executeQuery().close();
                }
                Optional<Version> same = query(c, "SELECT name, version, content_hash, source, files, bytes, created_at FROM skill_versions WHERE name = ? AND content_hash = ?",
                        bundle.name(), hash).stream().findFirst();
                if (same.isPresent()) {
                    c.commit();
                    return same.get();
                }
                int next;
                try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(version), 0) + 1 FROM skill_versions WHERE name = ?")) {
                    ps.setString(1, bundle.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        next = rs.getInt(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO skill_versions (name, version, content_hash, source, files, bytes) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, bundle.name());
                    ps.setInt(2, next);
                    ps.setString(3, hash);
                    ps.setString(4, source);
                    ps.setInt(5, bundle.paths().size());
                    ps.setInt(6, bundle.totalBytes());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO skill_files (name, version, path, content) VALUES (?, ?, ?, ?)")) {
                    for (String path : bundle.paths()) {
                        ps.setString(1, bundle.name());
                        ps.setInt(2, next);
                        ps.setString(3, path);
                        ps.setBytes(4, bundle.bytes(path));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                Version v = version(bundle.name(), next).orElseThrow();
                return new Version(v.name(), v.version(), v.hash(), v.source(), v.files(), v.bytes(), v.createdAt(), true);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register skill " + bundle.name() + ": " + e.getMessage(), e);
        }
    }

    public List<Skill> list() {
        List<Skill> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT s.name, max(v.version), count(v.version), s.created_at FROM skills s JOIN skill_versions v ON v.name = s.name GROUP BY s.name, s.created_at ORDER BY s.name")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Skill(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getTimestamp(4).toInstant().toString()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public List<Version> versions(String name) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, "SELECT name, version, content_hash, source, files, bytes, created_at FROM skill_versions WHERE name = ? ORDER BY version", name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Version> version(String name, int version) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, "SELECT name, version, content_hash, source, files, bytes, created_at FROM skill_versions WHERE name = ? AND version = ?",
                    name, version).stream().findFirst();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Version> latest(String name) {
        List<Version> all = versions(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public Optional<SkillBundle> bundle(String name, int version) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT path, content FROM skill_files WHERE name = ? AND version = ? ORDER BY path")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    files.put(rs.getString(1), rs.getBytes(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return files.isEmpty() ? Optional.empty() : Optional.of(SkillBundle.ofBytes(name, files));
    }

    private static List<Version> query(Connection c, String sql, Object... args) throws SQLException {
        List<Version> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Version(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6),
                            rs.getTimestamp(7).toInstant().toString(), false));
                }
            }
        }
        return out;
    }
}
