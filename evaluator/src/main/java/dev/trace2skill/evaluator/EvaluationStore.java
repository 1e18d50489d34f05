package dev.trace2skill.evaluator;

import dev.trace2skill.core.eval.Condition;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.EvaluationPlan.PlannedEpisode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Evaluations, the skill versions they froze, and their episodes, in PostgreSQL. */
@ApplicationScoped
public class EvaluationStore {
    public static final String RUNNING = "running";

    @Inject
    DataSource dataSource;

    public record Evaluation(String id, String status, String runner, String request, int total, Long maxTokens, String message,
                             Instant createdAt, Instant deadline, Instant finishedAt) {
        public boolean running() {
            return RUNNING.equals(status);
        }
    }

    /** An episode still to run, in plan order. */
    public record Pending(String episodeId, int ordinal, Condition condition, String taskId, int seed) {
    }

    /** A stored episode with what the listing and the result intake need. */
    public record Row(String episodeId, String evaluationId, Condition condition, String taskId, int seed, String status,
                      String answer, String expected, String checker, long promptTokens, long completionTokens, String error, String trajectory,
                      String source, long latencyMs, Instant finishedAt) {
        public boolean pending() {
            return "PENDING".equals(status);
        }

        public Episode episode() {
            return pending() ? null : new Episode(condition, taskId, seed, Episode.Status.valueOf(status), promptTokens, completionTokens);
        }
    }

    /** Progress: episodes finished, pending, in error, tokens spent. */
    public record Progress(long done, long pending, long errors, long correct, long tokens) {
    }

    /** Stores an evaluation with its frozen skills and all its planned episodes (PENDING), in one transaction. */
    public void create(String id, String runner, String request, Long maxTokens, Instant deadline, Map<String, SkillSnapshot> skills,
                       List<PlannedEpisode> plan) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO evaluations (id, status, runner, request, total, max_tokens, deadline) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, RUNNING);
                    ps.setString(3, runner);
                    ps.setString(4, request);
                    ps.setInt(5, plan.size());
                    ps.setObject(6, maxTokens);
                    ps.setTimestamp(7, deadline == null ? null : Timestamp.from(deadline));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO evaluation_skills (evaluation_id, skill_ref, snapshot) VALUES (?, ?, ?)")) {
                    for (Map.Entry<String, SkillSnapshot> s : skills.entrySet()) {
                        ps.setString(1, id);
                        ps.setString(2, s.getKey());
                        ps.setString(3, Json.write(s.getValue()));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO episodes (episode_id, evaluation_id, ordinal, condition_key, skill, model, removed_section, task_id,
                                              seed, status, expected, checker)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)""")) {
                    int ordinal = 0;
                    for (PlannedEpisode p : plan) {
                        ps.setString(1, p.episodeId());
                        ps.setString(2, id);
                        ps.setInt(3, ordinal++);
                        ps.setString(4, p.condition().key());
                        ps.setString(5, p.condition().skill());
                        ps.setString(6, p.condition().model());
                        ps.setString(7, p.condition().removedSection());
                        ps.setString(8, p.task().id());
                        ps.setInt(9, p.seed());
                        ps.setString(10, p.task().expected());
                        ps.setString(11, p.task().checker());
                        ps.addBatch();
                        if (ordinal % 1000 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store evaluation " + id + ": " + e.getMessage(), e);
        }
    }

    /** Ends a running evaluation; false when it had already ended (the first ending wins). */
    public boolean finish(String id, String status, String message) {
        return update("UPDATE evaluations SET status = ?, message = ?, finished_at = now() WHERE id = ? AND status = ?",
                status, message, id, RUNNING) == 1;
    }

    /**
     * Records an episode's result once: a second result for the same episode changes nothing (returns false), so
     * redelivered results and retried posts are harmless.
     */
    public boolean complete(String episodeId, Episode.Status status, String answer, long prompt, long completion, String error,
                            String trajectory, String source, long latencyMs) {
        return update("""
                UPDATE episodes SET status = ?, answer = ?, prompt_tokens = ?, completion_tokens = ?, error = ?, trajectory = ?,
                       source = ?, latency_ms = ?, finished_at = now()
                WHERE episode_id = ? AND status = 'PENDING'""",
                status.name(), answer, prompt, completion, error, trajectory, source, latencyMs, episodeId) == 1;
    }

    public Optional<Evaluation> evaluation(String id) {
        List<Evaluation> l = evaluations(SELECT_EVALUATION + " WHERE id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public List<Evaluation> list(int limit) {
        return evaluations(SELECT_EVALUATION + " ORDER BY created_at DESC LIMIT ?", limit);
    }

    /** Running evaluations of a runner kind (resumed at start-up, or checked against their deadline). */
    public List<Evaluation> running(String runner) {
        return evaluations(SELECT_EVALUATION + " WHERE status = 'running' AND runner = ? ORDER BY created_at", runner);
    }

    public Map<String, SkillSnapshot> skills(String evaluationId) {
        Map<String, SkillSnapshot> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT skill_ref, snapshot FROM evaluation_skills WHERE evaluation_id = ? ORDER BY skill_ref")) {
            ps.setString(1, evaluationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), Json.read(rs.getString(2), SkillSnapshot.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public List<Pending> pending(String evaluationId) {
        List<Pending> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT episode_id, ordinal, skill, model, removed_section, task_id, seed FROM episodes
                WHERE evaluation_id = ? AND status = 'PENDING' ORDER BY ordinal""")) {
            ps.setString(1, evaluationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(rs.getString(1), rs.getInt(2), new Condition(rs.getString(3), rs.getString(4), rs.getString(5)),
                            rs.getString(6), rs.getInt(7)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public Optional<Row> episode(String episodeId) {
        List<Row> rows = rows(SELECT_EPISODE + " WHERE episode_id = ?", List.of(episodeId), true);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Episodes of an evaluation in plan order; {@code status} filters (null: all); trajectories only when asked. */
    public List<Row> episodes(String evaluationId, String status, int limit, int offset, boolean withTrajectories) {
        List<Object> args = new ArrayList<>(List.of(evaluationId));
        String sql = SELECT_EPISODE + " WHERE evaluation_id = ?";
        if (status != null) {
            sql += " AND status = ?";
            args.add(status);
        }
        sql += " ORDER BY ordinal LIMIT ? OFFSET ?";
        args.add(limit);
        args.add(offset);
        return rows(sql, args, withTrajectories);
    }

    /** Every finished episode, for the report. */
    public List<Episode> finished(String evaluationId) {
        return rows(SELECT_EPISODE + " WHERE evaluation_id = ? AND status <> 'PENDING' ORDER BY ordinal", List.of(evaluationId), false)
                .stream().map(Row::episode).toList();
    }

    public Progress progress(String evaluationId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FILTER (WHERE status <> 'PENDING'), count(*) FILTER (WHERE status = 'PENDING'),
                       count(*) FILTER (WHERE status = 'ERROR'), count(*) FILTER (WHERE status = 'CORRECT'),
                       coalesce(sum(prompt_tokens + completion_tokens), 0)
                FROM episodes WHERE evaluation_id = ?""")) {
            ps.setString(1, evaluationId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Progress(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String SELECT_EVALUATION =
            "SELECT id, status, runner, request, total, max_tokens, message, created_at, deadline, finished_at FROM evaluations";

    private static final String SELECT_EPISODE = """
            SELECT episode_id, evaluation_id, skill, model, removed_section, task_id, seed, status, answer, expected, checker, prompt_tokens,
                   completion_tokens, error, %s, source, latency_ms, finished_at FROM episodes""";

    private List<Row> rows(String sql, List<Object> args, boolean withTrajectories) {
        List<Row> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(sql.formatted(withTrajectories ? "trajectory" : "NULL"))) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getString(1), rs.getString(2), new Condition(rs.getString(3), rs.getString(4), rs.getString(5)),
                            rs.getString(6), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            rs.getLong(12), rs.getLong(13), rs.getString(14), rs.getString(15), rs.getString(16), rs.getLong(17),
                            instant(rs.getTimestamp(18))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private List<Evaluation> evaluations(String sql, Object arg) {
        List<Evaluation> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Evaluation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                            rs.getObject(6, Long.class), rs.getString(7), instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)),
                            instant(rs.getTimestamp(10))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private int update(String sql, Object... args) {
        return dev.trace2skill.service.Sql.update(dataSource, sql, args);
    }
}
