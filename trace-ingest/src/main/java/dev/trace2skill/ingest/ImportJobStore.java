package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.service.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Background imports ({@code ?async=true}) in PostgreSQL: status, counts as they grow, the report at the end. */
@ApplicationScoped
public class ImportJobStore {
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    @Inject
    DataSource dataSource;

    /**
     * An import job as clients see it.
     *
     * @param progress   bytes read / bytes uploaded (0..1)
     * @param report     the import's report once done
     * @param error      why it failed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Job(String id, String status, String dataset, String format, JsonNode options, long bytesTotal, long bytesRead,
                      double progress, int received, int accepted, int duplicates, int rejectedCount, String createdAt,
                      String startedAt, String updatedAt, String finishedAt, IngestReport report, String error) {
    }

    public void create(String id, String dataset, String format, JsonNode options, long bytesTotal) {
        Sql.update(dataSource, "INSERT INTO import_jobs (id, status, dataset, format, options, bytes_total) VALUES (?, ?, ?, ?, ?::jsonb, ?)",
                id, QUEUED, dataset, format, Json.write(options), bytesTotal);
    }

    /** Marks a queued job running; false when it is no longer queued (e.g. given up as stale). */
    public boolean start(String id) {
        return Sql.update(dataSource, "UPDATE import_jobs SET status = ?, started_at = now(), updated_at = now() WHERE id = ? AND status = ?",
                RUNNING, id, QUEUED) == 1;
    }

    public void progress(String id, long bytesRead, Ingestion.Counts c) {
        Sql.update(dataSource, "UPDATE import_jobs SET bytes_read = ?, received = ?, accepted = ?, duplicates = ?, rejected_count = ?,"
                + " updated_at = now() WHERE id = ? AND status = ?", bytesRead, c.received(), c.accepted(), c.duplicates(), c.rejected(), id, RUNNING);
    }

    public void done(String id, long bytesRead, IngestReport r) {
        Sql.update(dataSource, "UPDATE import_jobs SET status = ?, bytes_read = ?, received = ?, accepted = ?, duplicates = ?,"
                        + " rejected_count = ?, report = ?, updated_at = now(), finished_at = now() WHERE id = ?",
                DONE, bytesRead, r.received(), r.accepted(), r.duplicates(), r.rejectedCount(), Json.write(r), id);
    }

    public void failed(String id, String error) {
        Sql.update(dataSource, "UPDATE import_jobs SET status = ?, error = ?, updated_at = now(), finished_at = now()"
                + " WHERE id = ? AND status IN (?, ?)", FAILED, error, id, QUEUED, RUNNING);
    }

    /**
     * Fails a job that stopped reporting: queued or running, not in this instance's hands, and not updated for
     * {@code staleSeconds} (its instance died or restarted).
     */
    public void failIfStale(String id, long staleSeconds) {
        Sql.update(dataSource, "UPDATE import_jobs SET status = ?, error = ?, updated_at = now(), finished_at = now()"
                        + " WHERE id = ? AND status IN (?, ?) AND updated_at < now() - make_interval(secs => ?)", FAILED,
                "the import stopped reporting progress (its trace-ingest instance stopped?); upload again: what was stored stays,"
                        + " and a re-upload counts it as duplicates", id, QUEUED, RUNNING, (double) staleSeconds);
    }

    public Optional<Job> get(String id) {
        List<Job> l = query("SELECT * FROM import_jobs WHERE id = ?", id, 1);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public List<Job> recent(int limit) {
        return query("SELECT * FROM import_jobs ORDER BY created_at DESC LIMIT ?", null, limit);
    }

    private List<Job> query(String sql, String id, int limit) {
        List<Job> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (id != null) {
                ps.setString(1, id);
            } else {
                ps.setInt(1, limit);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long total = rs.getLong("bytes_total");
                    long read = rs.getLong("bytes_read");
                    String status = rs.getString("status");
                    double progress = DONE.equals(status) ? 1.0 : total <= 0 ? 0.0 : Math.min(1.0, (double) read / total);
                    String report = rs.getString("report");
                    out.add(new Job(rs.getString("id"), status, rs.getString("dataset"), rs.getString("format"),
                            Json.mapper().readTree(rs.getString("options")), total, read, Math.round(progress * 1000) / 1000.0,
                            rs.getInt("received"), rs.getInt("accepted"), rs.getInt("duplicates"), rs.getInt("rejected_count"),
                            time(rs.getTimestamp("created_at")), time(rs.getTimestamp("started_at")), time(rs.getTimestamp("updated_at")),
                            time(rs.getTimestamp("finished_at")), report == null ? null : Json.read(report, IngestReport.class),
                            rs.getString("error")));
                }
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static String time(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
