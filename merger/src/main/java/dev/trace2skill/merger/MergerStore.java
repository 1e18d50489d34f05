package dev.trace2skill.merger;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.NodeResult;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Patch pools, merge nodes and outputs in PostgreSQL. Writes are idempotent: redelivered messages change nothing. */
@ApplicationScoped
public class MergerStore {
    @Inject
    DataSource dataSource;

    /**
     * A run as the merger knows it.
     *
     * @param status collecting, merging, done or failed
     */
    public record Run(String runId, String skillName, SkillSnapshot s0, RunConfig config, List<String> jobIds, String status,
                      Instant startedAt, Instant deadline, String message) {
    }

    /**
     * Records a run. Its merge window: {@code deadline} starts at now + the idle timeout (the run's
     * {@code mergeIdleSeconds}, else {@code stragglerTimeout}) and never passes the run's absolute cap.
     */
    public void saveRun(RunStarted r, Duration stragglerTimeout) {
        Duration idle = r.config().mergeIdleSeconds() != null ? Duration.ofSeconds(r.config().mergeIdleSeconds()) : stragglerTimeout;
        Instant cap = r.config().mergeMaxSeconds() != null ? r.startedAt().plusSeconds(r.config().mergeMaxSeconds()) : null;
        Instant deadline = Instant.now().plus(idle);
        if (cap != null && cap.isBefore(deadline)) {
            deadline = cap;
        }
        update("""
                INSERT INTO runs (run_id, skill_name, s0, config, job_ids, total_jobs, status, started_at, deadline, idle_ms, max_deadline)
                VALUES (?, ?, ?, ?, ?, ?, 'collecting', ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING""",
                r.runId(), r.skill().name(), Json.write(r.skill()), Json.write(r.config()), Json.write(r.jobIds()), r.jobIds().size(),
                Timestamp.from(r.startedAt()), Timestamp.from(deadline), idle.toMillis(), cap == null ? null : Timestamp.from(cap));
    }

    /** What storing a result did. */
    public enum Saved {
        /** Stored, in time for the merge; the run's merge window moved. */
        POOLED,
        /** Stored after the run's merge had started: counted and shown, not merged. */
        LATE,
        /** Already stored (a redelivery): nothing changed. */
        DUPLICATE
    }

    /**
     * Stores a result once per patch id. In one transaction holding the run row's lock (the strength an UPDATE takes,
     * so that two results of a run never deadlock upgrading a shared lock), so that it serialises with the merge's
     * switch to {@code merging}: a result that commits before the switch is in the pool the merge reads, one that comes
     * after is stored as late. A pooled result moves the run's deadline to now + its idle timeout (never past its cap).
     */
    public Saved savePatch(PatchResult p) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String status = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT status FROM runs WHERE run_id = ? FOR NO KEY UPDATE")) {
                    ps.setString(1, p.runId());
                    try (ResultSet rs = ps.executeQuery()) {
                        status = rs.next() ? rs.getString(1) : null;
                    }
                }
                boolean late = status != null && !status.equals("collecting");
                int inserted;
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO patches (patch_id, run_id, job_id, trajectory_id, trajectory_success, analyst, status, body, late)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (patch_id) DO NOTHING""")) {
                    ps.setString(1, p.patchId());
                    ps.setString(2, p.runId());
                    ps.setString(3, p.jobId());
                    ps.setString(4, p.trajectoryId());
                    ps.setBoolean(5, p.trajectorySuccess());
                    ps.setString(6, p.analyst().wire());
                    ps.setString(7, p.status().name());
                    ps.setString(8, Json.write(p));
                    ps.setBoolean(9, late);
                    inserted = ps.executeUpdate();
                }
                if (inserted == 1 && !late) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE runs SET last_result_at = now(),
                                   deadline = LEAST(now() + coalesce(idle_ms, 0) * interval '1 millisecond', coalesce(max_deadline, 'infinity'))
                            WHERE run_id = ? AND status = 'collecting' AND idle_ms IS NOT NULL""")) {
                        ps.setString(1, p.runId());
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return inserted == 0 ? Saved.DUPLICATE : late ? Saved.LATE : Saved.POOLED;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A run's merge window and what arrived late.
     *
     * @param idle         the idle timeout (null for runs recorded before merge windows followed the work)
     * @param maxDeadline  the absolute cap, or null
     * @param lastResultAt when the last pooled result arrived, or null
     * @param late         results stored after the merge started
     * @param poolCounts   what the merge counted about the pool (JSON object), or null before the merge
     */
    public record Window(Duration idle, Instant maxDeadline, Instant lastResultAt, int late, String poolCounts) {
    }

    public Window window(String runId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT idle_ms, max_deadline, last_result_at, pool_counts,
                       (SELECT count(*) FROM patches p WHERE p.run_id = r.run_id AND p.late)
                FROM runs r WHERE run_id = ?""")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Window(null, null, null, 0, null);
                }
                long idle = rs.getLong(1);
                boolean noIdle = rs.wasNull();
                Timestamp max = rs.getTimestamp(2);
                Timestamp last = rs.getTimestamp(3);
                return new Window(noIdle ? null : Duration.ofMillis(idle), max == null ? null : max.toInstant(),
                        last == null ? null : last.toInstant(), rs.getInt(5), rs.getString(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The results that arrived after the run's merge started: "trajectory (analyst, status)". */
    public List<String> lateResults(String runId) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT trajectory_id, analyst, status, received_at FROM patches WHERE run_id = ? AND late ORDER BY received_at, patch_id")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " (" + rs.getString(2) + ", " + rs.getString(3).toLowerCase(java.util.Locale.ROOT)
                            + ", arrived " + rs.getTimestamp(4).toInstant() + ")");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * Fixes the order the pool is grouped in the first time a merge starts, and returns the order in force: a resumed
     * merge gets the first attempt's order back, whatever it computed this time.
     */
    public List<String> fixMergeOrder(String runId, List<String> patchIds) {
        update("UPDATE runs SET merge_order = ? WHERE run_id = ? AND merge_order IS NULL", Json.write(patchIds), runId);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT merge_order FROM runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? List.of(Json.read(rs.getString(1), String[].class)) : patchIds;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void savePoolCounts(String runId, String countsJson) {
        update("UPDATE runs SET pool_counts = ? WHERE run_id = ?", countsJson, runId);
    }

    public Optional<Run> run(String runId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id, skill_name, s0, config, job_ids, status, started_at, deadline, message FROM runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs to merge now: every job answered, or the merge window closed (with or without results: a run with nothing
     * to merge then fails with the reason instead of collecting for ever); and interrupted merges.
     */
    public List<String> runsToMerge() {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT r.run_id FROM runs r
                WHERE r.status = 'merging'
                   OR (r.status = 'collecting' AND (
                        (SELECT count(DISTINCT p.job_id) FROM patches p WHERE p.run_id = r.run_id) >= r.total_jobs
                     OR r.deadline < now()))
                ORDER BY r.started_at""")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The run's results that arrived before its merge started (the pool), in arrival order. */
    public List<PatchResult> results(String runId) {
        List<PatchResult> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT body FROM patches WHERE run_id = ? AND NOT late ORDER BY received_at, patch_id")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.read(rs.getString(1), PatchResult.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public void status(String runId, String status, String message) {
        update("UPDATE runs SET status = ?, message = coalesce(?, message), updated_at = now() WHERE run_id = ?", status, message, runId);
    }

    public Optional<NodeResult> node(String runId, String nodeId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT result FROM merge_nodes WHERE run_id = ? AND node_id = ?")) {
            ps.setString(1, runId);
            ps.setString(2, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Json.read(rs.getString(1), NodeResult.class)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void saveNode(String runId, MergeGroup g, NodeResult r) {
        update("""
                INSERT INTO merge_nodes (run_id, node_id, level, idx, inputs, result, engine, repairs, fallback, prompt_tokens, completion_tokens, latency_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, node_id) DO NOTHING""",
                runId, g.nodeId(), g.level(), g.index(), Json.write(g.inputs()), Json.write(r), r.engine(), r.repairs(), r.fallback(),
                r.usage().promptTokens(), r.usage().completionTokens(), r.latencyMillis());
    }

    /** A persisted node with its bookkeeping, for the merge tree. */
    public record Node(String nodeId, int level, int index, List<String> inputs, NodeResult result, String doneAt) {
    }

    public List<Node> nodes(String runId) {
        List<Node> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT node_id, level, idx, inputs, result, done_at FROM merge_nodes WHERE run_id = ? ORDER BY level, idx")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Node(rs.getString(1), rs.getInt(2), rs.getInt(3), List.of(Json.read(rs.getString(4), String[].class)),
                            Json.read(rs.getString(5), NodeResult.class), rs.getTimestamp(6).toInstant().toString()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The outputs of a finished run, each a JSON or text column. */
    public record Outputs(SkillSnapshot sStar, String applied, String decisions, String fitMoves, String diff, String changelog,
                          String provenance, String tree) {
    }

    public void saveOutputs(String runId, Outputs o) {
        update("""
                INSERT INTO run_outputs (run_id, s_star, applied, decisions, fit_moves, diff, changelog, provenance, tree)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING""",
                runId, Json.write(o.sStar()), o.applied(), o.decisions(), o.fitMoves(), o.diff(), o.changelog(), o.provenance(), o.tree());
    }

    public Optional<Outputs> outputs(String runId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT s_star, applied, decisions, fit_moves, diff, changelog, provenance, tree FROM run_outputs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Outputs(Json.read(rs.getString(1), SkillSnapshot.class), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Holds PostgreSQL's advisory lock for one run on the given connection (one merger replica merges a run at a time). */
    public boolean tryLock(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, "merge:" + runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    private static Run row(ResultSet rs) throws SQLException {
        return new Run(rs.getString(1), rs.getString(2), Json.read(rs.getString(3), SkillSnapshot.class),
                Json.read(rs.getString(4), RunConfig.class), List.of(Json.read(rs.getString(5), String[].class)), rs.getString(6),
                rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant(), rs.getString(9));
    }

    private int update(String sql, Object... args) {
        return dev.trace2skill.service.Sql.update(dataSource, sql, args);
    }
}
