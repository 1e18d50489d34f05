package dev.trace2skill.worker;

import dev.trace2skill.core.pipeline.PatchResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The worker's record of its analyses, one row per patch id. A redelivered job (a worker died before committing)
 * updates the row and counts the attempt. Written after the result is on Kafka; a database outage is logged and never
 * fails a job, since the merger's pool, not this ledger, is what runs depend on.
 */
@ApplicationScoped
public class AnalysisLedger {
    private static final Logger LOG = Logger.getLogger(AnalysisLedger.class);

    @Inject
    DataSource dataSource;

    /** One analysis as {@code GET /v1/analyses} shows it. */
    public record Entry(String patchId, String runId, String trajectoryId, String analyst, String status, Boolean verified,
                        String failureReason, int edits, long promptTokens, long completionTokens, int modelCalls, int repairs,
                        long latencyMs, String worker, int attempts, String finishedAt) {
    }

    public void record(PatchResult r) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO analyses (patch_id, run_id, trajectory_id, analyst, status, verified, failure_reason, edits, prompt_tokens,
                                      completion_tokens, model_calls, repairs, latency_ms, worker)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (patch_id) DO UPDATE SET status = excluded.status, verified = excluded.verified,
                    failure_reason = excluded.failure_reason, edits = excluded.edits, prompt_tokens = excluded.prompt_tokens,
                    completion_tokens = excluded.completion_tokens, model_calls = excluded.model_calls, repairs = excluded.repairs,
                    latency_ms = excluded.latency_ms, worker = excluded.worker, attempts = analyses.attempts + 1, finished_at = now()""")) {
            ps.setString(1, r.patchId());
            ps.setString(2, r.runId());
            ps.setString(3, r.trajectoryId());
            ps.setString(4, r.analyst().name());
            ps.setString(5, r.status().name());
            ps.setObject(6, r.verified());
            ps.setString(7, r.failureReason());
            ps.setInt(8, r.patch() == null ? 0 : r.patch().edits().size());
            ps.setLong(9, r.usage() == null ? 0 : r.usage().promptTokens());
            ps.setLong(10, r.usage() == null ? 0 : r.usage().completionTokens());
            ps.setInt(11, r.modelCalls());
            ps.setInt(12, r.repairs());
            ps.setLong(13, r.latencyMillis());
            ps.setString(14, r.worker());
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("analysis %s is on Kafka but not in the ledger: %s", r.patchId(), e.getMessage());
        }
    }

    public Optional<Entry> get(String patchId) {
        return query(SELECT + " WHERE patch_id = ?", patchId).stream().findFirst();
    }

    /** A run's analyses, optionally only one status, by patch id. */
    public List<Entry> ofRun(String runId, String status, int limit) {
        return status == null
                ? query(SELECT + " WHERE run_id = ? ORDER BY patch_id LIMIT ?", runId, limit)
                : query(SELECT + " WHERE run_id = ? AND status = ? ORDER BY patch_id LIMIT ?", runId, status, limit);
    }

    private static final String SELECT = """
            SELECT patch_id, run_id, trajectory_id, analyst, status, verified, failure_reason, edits, prompt_tokens, completion_tokens,
                   model_calls, repairs, latency_ms, worker, attempts, finished_at FROM analyses""";

    private List<Entry> query(String sql, Object... args) {
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getObject(6, Boolean.class), rs.getString(7), rs.getInt(8), rs.getLong(9), rs.getLong(10), rs.getInt(11),
                            rs.getInt(12), rs.getLong(13), rs.getString(14), rs.getInt(15), rs.getTimestamp(16).toInstant().toString()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
