package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs and their progress in PostgreSQL. Progress messages are counted once per job, however often redelivered. */
@ApplicationScoped
public class RunStore {
    @Inject
    DataSource dataSource;

    public record NewRun(String id, String status, RunConfig config, String skillName, Integer skillVersion, RunRequest request) {
    }

    public void create(NewRun run, Map<String, AnalystKind> jobs) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO runs (id, status, mode, analysts, engine, skill_name, skill_version, request, config)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
                ps.setString(1, run.id());
                ps.setString(2, run.status());
                ps.setString(3, run.config().mode().wire());
                ps.setString(4, run.config().analysts().wire());
                ps.setString(5, run.config().engine().wire());
                ps.setString(6, run.skillName());
                ps.setObject(7, run.skillVersion());
                ps.setString(8, Json.write(run.request()));
                ps.setString(9, Json.write(run.config()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_jobs (run_id, trajectory_id, analyst) VALUES (?, ?, ?)")) {
                for (Map.Entry<String, AnalystKind> j : jobs.entrySet()) {
                    ps.setString(1, run.id());
                    ps.setString(2, j.getKey());
                    ps.setString(3, j.getValue().wire());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create run " + run.id() + ": " + e.getMessage(), e);
        }
    }

    /** The run's jobs: trajectory id → analyst. */
    public Map<String, AnalystKind> jobs(String runId) {
        Map<String, AnalystKind> out = new java.util.LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT trajectory_id, analyst FROM run_jobs WHERE run_id = ? ORDER BY trajectory_id")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), AnalystKind.fromWire(rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public Optional<RunConfig> config(String runId) {
        return scalar("SELECT config FROM runs WHERE id = ?", runId).map(s -> Json.read(s, RunConfig.class));
    }

    public Optional<String> skillName(String runId) {
        return scalar("SELECT skill_name FROM runs WHERE id = ?", runId);
    }

    public void published(String runId, int jobs, int skillVersion) {
        update("UPDATE runs SET status = 'analysing', jobs_published = ?, skill_version = ?, updated_at = now() WHERE id = ?",
                jobs, skillVersion, runId);
    }

    public void failed(String runId, String message) {
        update("UPDATE runs SET status = 'failed', message = ?, updated_at = now() WHERE id = ?", message, runId);
    }

    /** Counts a patch result once: the first result for a job wins, redeliveries change nothing. */
    public boolean record(PatchResult r) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int changed;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE run_jobs SET result = ? WHERE run_id = ? AND trajectory_id = ? AND result IS NULL")) {
                ps.setString(1, r.status().name());
                ps.setString(2, r.runId());
                ps.setString(3, r.trajectoryId());
                changed = ps.executeUpdate();
            }
            if (changed == 1) {
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE runs SET analyses_done = analyses_done + ?, analyses_failed = analyses_failed + ?,
                               patches = patches + ?, prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
                               updated_at = now()
                        WHERE id = ?""")) {
                    boolean ok = r.proposed();
                    ps.setInt(1, ok ? 1 : 0);
                    ps.setInt(2, ok ? 0 : 1);
                    ps.setInt(3, ok && r.patch() != null ? 1 : 0);
                    ps.setLong(4, r.usage() == null ? 0 : r.usage().promptTokens());
                    ps.setLong(5, r.usage() == null ? 0 : r.usage().completionTokens());
                    ps.setString(6, r.runId());
                    ps.executeUpdate();
                }
            }
            c.commit();
            return changed == 1;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void mergeProgress(RunEvent e) {
        String status = switch (e.type()) {
            case MERGE_STARTED, MERGE_PROGRESS -> "merging";
            case MERGE_DONE -> "merged";
            case RUN_FAILED -> "failed";
            case SKILL_REGISTERED -> throw new IllegalArgumentException("SKILL_REGISTERED is trace-ingest's own event, not merge progress");
        };
        update("""
                UPDATE runs SET status = CASE WHEN status IN ('done', 'failed') THEN status ELSE ? END,
                       merge_level = coalesce(?, merge_level), merge_levels = coalesce(?, merge_levels),
                       merge_nodes_done = coalesce(?, merge_nodes_done), merge_nodes_total = coalesce(?, merge_nodes_total),
                       message = coalesce(?, message), updated_at = now()
                WHERE id = ?""", status, e.mergeLevel(), e.mergeLevels(), e.nodesDone(), e.nodesTotal(), e.message(), e.runId());
        if (e.usage() != null && e.type() == RunEvent.Type.MERGE_DONE) {
            update("UPDATE runs SET prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ? WHERE id = ?",
                    e.usage().promptTokens(), e.usage().completionTokens(), e.runId());
        }
    }

    public void evolved(String runId, int version) {
        update("UPDATE runs SET status = 'done', evolved_version = ?, updated_at = now() WHERE id = ?", version, runId);
    }

    public Optional<RunView> get(String id) {
        List<RunView> l = query("SELECT * FROM runs WHERE id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public List<RunView> list(int limit) {
        return query("SELECT * FROM runs ORDER BY created_at DESC LIMIT ?", limit);
    }

    private List<RunView> query(String sql, Object arg) {
        List<RunView> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RunConfig config = Json.read(rs.getString("config"), RunConfig.class);
                    Integer sv = (Integer) rs.getObject("skill_version");
                    Integer ev = (Integer) rs.getObject("evolved_version");
                    String skill = rs.getString("skill_name");
                    long p = rs.getLong("prompt_tokens");
                    long comp = rs.getLong("completion_tokens");
                    out.add(new RunView(rs.getString("id"), rs.getString("status"), rs.getString("mode"), rs.getString("analysts"),
                            rs.getString("engine"), sv == null ? skill : skill + "@" + sv, ev == null ? null : skill + "@" + ev,
                            new RunView.Counts(rs.getInt("jobs_published"), rs.getInt("analyses_done"), rs.getInt("analyses_failed"), rs.getInt("patches")),
                            new RunView.Merge((Integer) rs.getObject("merge_level"), (Integer) rs.getObject("merge_levels"),
                                    (Integer) rs.getObject("merge_nodes_done"), (Integer) rs.getObject("merge_nodes_total")),
                            new RunView.Tokens(p, comp, p + comp), config.maxTokens(), rs.getString("message"),
                            rs.getTimestamp("created_at").toInstant().toString(), rs.getTimestamp("updated_at").toInstant().toString()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private Optional<String> scalar(String sql, String arg) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
