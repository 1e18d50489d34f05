package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.Labels;
import dev.trace2skill.service.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;

/** Label sets (correctness labels from a results file), stored once by content: the same labels give the same id. */
@ApplicationScoped
public class LabelStore {
    @Inject
    DataSource dataSource;

    /**
     * @param id        {@code labels-<16 hex digits>} of the labels' content
     * @param entries   labelled keys
     * @param successes keys labelled correct
     */
    public record Summary(String id, int entries, int successes) {
    }

    public Summary save(Labels labels) {
        String body = labels.toJson();
        String id = "labels-" + sha256(body).substring(0, 16);
        Sql.update(dataSource, "INSERT INTO label_sets (id, entries, successes, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                id, labels.size(), (int) labels.successes(), body);
        return new Summary(id, labels.size(), (int) labels.successes());
    }

    public Optional<Summary> summary(String id) {
        return query("SELECT id, entries, successes, NULL FROM label_sets WHERE id = ?", id).map(Row::summary);
    }

    public Optional<Labels> labels(String id) {
        return query("SELECT id, entries, successes, body FROM label_sets WHERE id = ?", id).map(r -> Labels.fromJson(r.body()));
    }

    private record Row(Summary summary, String body) {
    }

    private Optional<Row> query(String sql, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Row(new Summary(rs.getString(1), rs.getInt(2), rs.getInt(3)), rs.getString(4)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
