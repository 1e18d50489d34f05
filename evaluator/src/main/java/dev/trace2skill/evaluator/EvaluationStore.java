package dev.trace2skill.evaluator;

import dev.trace2skill.core.eval.Condition;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.EvaluationPlan.PlannedEpisode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Evaluations, the skill versions they froze, and their episodes, in PostgreSQL. */
@ApplicationScoped
public class EvaluationStore {
    /** The status of an episode not yet run or returned (beside {@link Episode.Status}). */
    static final String PENDING = "PENDING";

    @Inject
    Jdbi jdbi;

    public record Evaluation(String id, EvaluationStatus status, String runner, String request, int total, Long maxTokens, String message,
                             Instant createdAt, Instant deadline, Instant finishedAt, String experimentId) {
        public boolean running() {
            return status == EvaluationStatus.RUNNING;
        }
    }

    /** A row of {@code evaluations}. */
    public record EvaluationRow(String id, String status, String runner, String request, int total, Long maxTokens, String message,
                                Instant createdAt, Instant deadline, Instant finishedAt, String experimentId) {
        Evaluation evaluation() {
            return new Evaluation(id, EvaluationStatus.fromWire(status), runner, request, total, maxTokens, message, createdAt, deadline,
                    finishedAt, experimentId);
        }
    }

    /** An episode still to run, in plan order. */
    public record Pending(String episodeId, int ordinal, Condition condition, String taskId, int seed) {
    }

    /** A row of the pending episodes' query. */
    public record PendingRow(String episodeId, int ordinal, String skill, String model, String removedSection, String taskId, int seed) {
        Pending pending() {
            return new Pending(episodeId, ordinal, new Condition(skill, model, removedSection), taskId, seed);
        }
    }

    /** A stored episode with what the listing and the result intake need. */
    public record Row(String episodeId, String evaluationId, Condition condition, String taskId, int seed, String status,
                      String answer, String expected, String checker, long promptTokens, long completionTokens, String error, String trajectory,
                      String source, long latencyMs, Instant finishedAt) {
        public boolean pending() {
            return PENDING.equals(status);
        }

        public Episode episode() {
            return pending() ? null : new Episode(condition, taskId, seed, Episode.Status.valueOf(status), promptTokens, completionTokens);
        }
    }

    /** A row of {@code episodes} ({@code trajectory} is null unless asked for). */
    public record EpisodeRow(String episodeId, String evaluationId, String skill, String model, String removedSection, String taskId,
                             int seed, String status, String answer, String expected, String checker, long promptTokens,
                             long completionTokens, String error, String trajectory, String source, long latencyMs, Instant finishedAt) {
        Row row() {
            return new Row(episodeId, evaluationId, new Condition(skill, model, removedSection), taskId, seed, status, answer, expected,
                    checker, promptTokens, completionTokens, error, trajectory, source, latencyMs, finishedAt);
        }
    }

    /** Progress: episodes finished, pending, in error, tokens spent. */
    public record Progress(long done, long pending, long errors, long correct, long tokens) {
    }

    /**
     * Stores an evaluation with its frozen skills and all its planned episodes (PENDING), in one transaction.
     *
     * @param experimentId the experiment it is a stage of, or null
     */
    public void create(String id, String runner, String request, Long maxTokens, Instant deadline, Map<String, SkillSnapshot> skills,
                       List<PlannedEpisode> plan, String experimentId) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO evaluations (id, status, runner, request, total, max_tokens, deadline, experiment_id)
                            VALUES (:id, :status, :runner, :request, :total, :maxTokens, :deadline, :experimentId)""")
                    .bind("id", id).bind("status", EvaluationStatus.RUNNING.wire()).bind("runner", runner).bind("request", request)
                    .bind("total", plan.size()).bind("maxTokens", maxTokens).bind("deadline", deadline).bind("experimentId", experimentId)
                    .execute();
            PreparedBatch frozen = h.prepareBatch("INSERT INTO evaluation_skills (evaluation_id, skill_ref, snapshot) VALUES (:id, :ref, :snapshot)");
            skills.forEach((ref, snapshot) -> frozen.bind("id", id).bind("ref", ref).bind("snapshot", Json.write(snapshot)).add());
            if (frozen.size() > 0) {
                frozen.execute();
            }
            PreparedBatch episodes = h.prepareBatch("""
                    INSERT INTO episodes (episode_id, evaluation_id, ordinal, condition_key, skill, model, removed_section, task_id,
                                          seed, status, expected, checker)
                    VALUES (:episodeId, :id, :ordinal, :conditionKey, :skill, :model, :removedSection, :taskId, :seed, :status, :expected, :checker)""");
            int ordinal = 0;
            for (PlannedEpisode p : plan) {
                episodes.bind("episodeId", p.episodeId()).bind("id", id).bind("ordinal", ordinal++)
                        .bind("conditionKey", p.condition().key()).bind("skill", p.condition().skill()).bind("model", p.condition().model())
                        .bind("removedSection", p.condition().removedSection()).bind("taskId", p.task().id()).bind("seed", p.seed())
                        .bind("status", PENDING).bind("expected", p.task().expected()).bind("checker", p.task().checker())
                        .add();
                if (ordinal % 1000 == 0) {
                    episodes.execute();
                }
            }
            if (episodes.size() > 0) {
                episodes.execute();
            }
        });
    }

    /** Ends a running evaluation; false when it had already ended (the first ending wins). */
    public boolean finish(String id, EvaluationStatus status, String message) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE evaluations SET status = :status, message = :message, finished_at = now() WHERE id = :id AND status = :running""")
                .bind("status", status.wire()).bind("message", message).bind("id", id).bind("running", EvaluationStatus.RUNNING.wire())
                .execute()) == 1;
    }

    /**
     * Records an episode's result once: a second result for the same episode changes nothing (returns false), so
     * redelivered results and retried posts are harmless.
     */
    public boolean complete(String episodeId, Episode.Status status, String answer, long prompt, long completion, String error,
                            String trajectory, String source, long latencyMs) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE episodes SET status = :status, answer = :answer, prompt_tokens = :prompt, completion_tokens = :completion,
                               error = :error, trajectory = :trajectory, source = :source, latency_ms = :latency, finished_at = now()
                        WHERE episode_id = :episodeId AND status = :pending""")
                .bind("status", status.name()).bind("answer", answer).bind("prompt", prompt).bind("completion", completion)
                .bind("error", error).bind("trajectory", trajectory).bind("source", source).bind("latency", latencyMs)
                .bind("episodeId", episodeId).bind("pending", PENDING)
                .execute()) == 1;
    }

    public Optional<Evaluation> evaluation(String id) {
        return evaluations(SELECT_EVALUATION + " WHERE id = :id", q -> q.bind("id", id)).stream().findFirst();
    }

    public List<Evaluation> list(int limit) {
        return evaluations(SELECT_EVALUATION + " ORDER BY created_at DESC LIMIT :limit", q -> q.bind("limit", limit));
    }

    /** Running evaluations of a runner kind (resumed at start-up, or checked against their deadline). */
    public List<Evaluation> running(String runner) {
        return evaluations(SELECT_EVALUATION + " WHERE status = :running AND runner = :runner ORDER BY created_at",
                q -> q.bind("running", EvaluationStatus.RUNNING.wire()).bind("runner", runner));
    }

    public Map<String, SkillSnapshot> skills(String evaluationId) {
        Map<String, SkillSnapshot> out = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT skill_ref, snapshot FROM evaluation_skills WHERE evaluation_id = :id ORDER BY skill_ref")
                .bind("id", evaluationId)
                .map(ConstructorMapper.of(FrozenSkill.class))
                .forEach(s -> out.put(s.skillRef(), Json.read(s.snapshot(), SkillSnapshot.class))));
        return out;
    }

    /** A row of {@code evaluation_skills}. */
    public record FrozenSkill(String skillRef, String snapshot) {
    }

    public List<Pending> pending(String evaluationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT episode_id, ordinal, skill, model, removed_section, task_id, seed FROM episodes
                        WHERE evaluation_id = :id AND status = :pending ORDER BY ordinal""")
                .bind("id", evaluationId).bind("pending", PENDING)
                .map(ConstructorMapper.of(PendingRow.class)).map(PendingRow::pending).list());
    }

    public Optional<Row> episode(String episodeId) {
        return rows(SELECT_EPISODE + " WHERE episode_id = :episodeId", true, q -> q.bind("episodeId", episodeId)).stream().findFirst();
    }

    /** Episodes of an evaluation in plan order; {@code status} filters (null: all); trajectories only when asked. */
    public List<Row> episodes(String evaluationId, String status, int limit, int offset, boolean withTrajectories) {
        String sql = SELECT_EPISODE + " WHERE evaluation_id = :id" + (status != null ? " AND status = :status" : "")
                + " ORDER BY ordinal LIMIT :limit OFFSET :offset";
        return rows(sql, withTrajectories, q -> {
            q.bind("id", evaluationId).bind("limit", limit).bind("offset", offset);
            if (status != null) {
                q.bind("status", status);
            }
        });
    }

    /** Every finished episode, for the report. */
    public List<Episode> finished(String evaluationId) {
        return rows(SELECT_EPISODE + " WHERE evaluation_id = :id AND status <> :pending ORDER BY ordinal", false,
                q -> q.bind("id", evaluationId).bind("pending", PENDING)).stream().map(Row::episode).toList();
    }

    public Progress progress(String evaluationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT count(*) FILTER (WHERE status <> 'PENDING') AS done, count(*) FILTER (WHERE status = 'PENDING') AS pending,
                               count(*) FILTER (WHERE status = 'ERROR') AS errors, count(*) FILTER (WHERE status = 'CORRECT') AS correct,
                               coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens
                        FROM episodes WHERE evaluation_id = :id""")
                .bind("id", evaluationId)
                .map(ConstructorMapper.of(Progress.class)).one());
    }

    private static final String SELECT_EVALUATION =
            "SELECT id, status, runner, request, total, max_tokens, message, created_at, deadline, finished_at, experiment_id FROM evaluations";

    private static final String SELECT_EPISODE = """
            SELECT episode_id, evaluation_id, skill, model, removed_section, task_id, seed, status, answer, expected, checker, prompt_tokens,
                   completion_tokens, error, %s AS trajectory, source, latency_ms, finished_at FROM episodes""";

    private List<Row> rows(String sql, boolean withTrajectories, Consumer<Query> binds) {
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.formatted(withTrajectories ? "trajectory" : "NULL"));
            binds.accept(q);
            return q.map(ConstructorMapper.of(EpisodeRow.class)).map(EpisodeRow::row).list();
        });
    }

    private List<Evaluation> evaluations(String sql, Consumer<Query> binds) {
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql);
            binds.accept(q);
            return q.map(ConstructorMapper.of(EvaluationRow.class)).map(EvaluationRow::evaluation).list();
        });
    }
}
