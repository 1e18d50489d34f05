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

    public void saveRun(RunStarted r, Duration stragglerTimeout) {
        update("""
                INSERT INTO runs (run_id, skill_name, s0, config, job_ids, total_jobs, status, started_at, deadline)
                VALUES (?, ?, ?, ?, ?, ?, 'collecting', ?, ?) ON CONFLICT (run_id) DO NOTHING""",
                r.runId(), r.skill().name(), Json.write(r.skill()), Json.write(r.config()), Json.write(r.jobIds()), r.jobIds().size(),
                Timestamp.from(r.startedAt()), Timestamp.from(Instant.now().plus(stragglerTimeout)));
    }

    /** Stores a result once per patch id; returns whether it was new. */
    public boolean savePatch(PatchResult p) {
        return update("""
                INSERT INTO patches (patch_id, run_id, job_id, trajectory_id, trajectory_success, analyst, status, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (patch_id) DO NOTHING""",
                p.patchId(), p.runId(), p.jobId(), p.trajectoryId(), p.trajectorySuccess(), p.analyst().wire(), p.status().name(),
                Json.write(p)) == 1;
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

    /** Runs to merge now: every job answered, or the straggler deadline passed with at least one result; and interrupted merges. */
    public List<String> runsToMerge() {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT r.run_id FROM runs r
                WHERE r.status = 'merging'
                   OR (r.status = 'collecting' AND (
                        (SELECT count(DISTINCT p.job_id) FROM patches p WHERE p.run_id = r.run_id) >= r.total_jobs
                     OR (r.deadline < now() AND EXISTS (SELECT 1 FROM patches p WHERE p.run_id = r.run_id))))
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

    public List<PatchResult> results(String runId) {
        List<PatchResult> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT body FROM patches WHERE run_id = ? ORDER BY received_at, patch_id")) {
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

    /**
     * Records the registry version S* of a run was stored as: the stored S* carries it from now on. Idempotent; a run
     * without outputs yet is left alone (S* is saved before it is published, so this does not happen in order).
     */
    public void registered(String runId, int version) {
        outputs(runId).ifPresent(o -> {
            if (o.sStar().version() != version) {
                SkillSnapshot s = o.sStar();
                update("UPDATE run_outputs SET s_star = ? WHERE run_id = ?",
                        Json.write(new SkillSnapshot(s.name(), version, s.hash(), s.files())), runId);
            }
        });
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
