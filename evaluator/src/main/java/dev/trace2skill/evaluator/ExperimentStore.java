package dev.trace2skill.evaluator;

import dev.trace2skill.core.experiment.TaskSplit;
import dev.trace2skill.core.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Experiments and their rounds in PostgreSQL: what each stage started, so that every stage resumes after a restart. */
@ApplicationScoped
public class ExperimentStore {
    @Inject
    Jdbi jdbi;

    public record Experiment(String id, ExperimentStatus status, ExperimentStatus.Stage stage, int round, int rounds, String requestJson,
                             String splitJson, String mode, String skillName, String draftId, String draft, long draftTokens, Long maxTokens,
                             String message, String problem, Instant createdAt, Instant updatedAt, Instant finishedAt) {
        public boolean running() {
            return status == ExperimentStatus.RUNNING;
        }

        public ExperimentRequest request() {
            return Json.read(requestJson, ExperimentRequest.class);
        }

        public TaskSplit split() {
            return Json.read(splitJson, TaskSplit.class);
        }
    }

    /** A row of {@code experiments}. */
    public record ExperimentRow(String id, String status, String stage, int round, int rounds, String request, String split, String mode,
                                String skillName, String draftId, String draft, long draftTokens, Long maxTokens, String message, String problem,
                                Instant createdAt, Instant updatedAt, Instant finishedAt) {
        Experiment experiment() {
            return new Experiment(id, ExperimentStatus.fromWire(status), ExperimentStatus.Stage.fromWire(stage), round, rounds, request, split,
                    mode, skillName, draftId, draft, draftTokens, maxTokens, message, problem, createdAt, updatedAt, finishedAt);
        }
    }

    /** A row of {@code experiment_rounds}: what each stage of a round started and found. */
    public record Round(String experimentId, int round, String s0, String stage1Evaluation, Integer trajectoriesSent,
                        Integer trajectoriesRejected, String runId, String run, long runTokens, String sStar, String leaks,
                        String testEvaluation) {
    }

    public void create(String id, String request, TaskSplit split, String mode, String skillName, Long maxTokens, int rounds,
                       ExperimentStatus.Stage first, String s0) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO experiments (id, status, stage, round, rounds, request, split, mode, skill_name, max_tokens)
                            VALUES (:id, :status, :stage, 1, :rounds, :request, :split, :mode, :skillName, :maxTokens)""")
                    .bind("id", id).bind("status", ExperimentStatus.RUNNING.wire()).bind("stage", first.wire()).bind("rounds", rounds)
                    .bind("request", request).bind("split", Json.write(split)).bind("mode", mode).bind("skillName", skillName)
                    .bind("maxTokens", maxTokens)
                    .execute();
            h.createUpdate("INSERT INTO experiment_rounds (experiment_id, round, s0) VALUES (:id, 1, :s0)").bind("id", id).bind("s0", s0).execute();
        });
    }

    public Optional<Experiment> get(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE id = :id").bind("id", id)
                .map(ConstructorMapper.of(ExperimentRow.class)).findOne().map(ExperimentRow::experiment));
    }

    public List<Experiment> list(int limit) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " ORDER BY created_at DESC LIMIT :limit").bind("limit", limit)
                .map(ConstructorMapper.of(ExperimentRow.class)).map(ExperimentRow::experiment).list());
    }

    public List<Experiment> running() {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE status = :running ORDER BY created_at")
                .bind("running", ExperimentStatus.RUNNING.wire())
                .map(ConstructorMapper.of(ExperimentRow.class)).map(ExperimentRow::experiment).list());
    }

    public List<Round> rounds(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_ROUND + " WHERE experiment_id = :id ORDER BY round").bind("id", id)
                .map(ConstructorMapper.of(Round.class)).list());
    }

    public Optional<Round> round(String id, int round) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_ROUND + " WHERE experiment_id = :id AND round = :round").bind("id", id)
                .bind("round", round).map(ConstructorMapper.of(Round.class)).findOne());
    }

    /** Moves a running experiment to a stage of a round (creating the round's row with its S0 when it is new). */
    public void advance(String id, ExperimentStatus.Stage stage, int round, String newRoundS0) {
        jdbi.useTransaction(h -> {
            if (newRoundS0 != null) {
                h.createUpdate("INSERT INTO experiment_rounds (experiment_id, round, s0) VALUES (:id, :round, :s0) ON CONFLICT DO NOTHING")
                        .bind("id", id).bind("round", round).bind("s0", newRoundS0).execute();
            }
            h.createUpdate("UPDATE experiments SET stage = :stage, round = :round, updated_at = now() WHERE id = :id AND status = :running")
                    .bind("stage", stage.wire()).bind("round", round).bind("id", id).bind("running", ExperimentStatus.RUNNING.wire())
                    .execute();
        });
    }

    /** The columns of a round a stage may set. */
    private static final Set<String> ROUND_COLUMNS = Set.of("s0", "stage1_evaluation", "trajectories_sent", "trajectories_rejected", "run_id",
            "run", "run_tokens", "s_star", "leaks", "test_evaluation");

    public void setRound(String id, int round, String column, Object value) {
        if (!ROUND_COLUMNS.contains(column)) {
            throw new IllegalArgumentException("not a round column: " + column);
        }
        jdbi.useHandle(h -> h.createUpdate("UPDATE experiment_rounds SET " + column + " = :value WHERE experiment_id = :id AND round = :round")
                .bind("value", value).bind("id", id).bind("round", round).execute());
    }

    public void setDraft(String id, String draftId, String draft, long tokens) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE experiments SET draft_id = :draftId, draft = :draft, draft_tokens = :tokens, updated_at = now() WHERE id = :id""")
                .bind("draftId", draftId).bind("draft", draft).bind("tokens", tokens).bind("id", id).execute());
    }

    /** A note on what the running experiment is waiting for (null clears it). */
    public void note(String id, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE experiments SET message = :message, updated_at = now() WHERE id = :id AND status = :running")
                .bind("message", message).bind("id", id).bind("running", ExperimentStatus.RUNNING.wire()).execute());
    }

    /** Ends a running experiment; false when it had already ended (the first ending wins). */
    public boolean finish(String id, ExperimentStatus status, String message, String problem) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE experiments SET status = :status, message = :message, problem = coalesce(:problem, problem),
                               stage = CASE WHEN :status = 'completed' THEN 'done' ELSE stage END, finished_at = now(), updated_at = now()
                        WHERE id = :id AND status = :running""")
                .bind("status", status.wire()).bind("message", message).bind("problem", problem).bind("id", id)
                .bind("running", ExperimentStatus.RUNNING.wire())
                .execute()) == 1;
    }

    private static final String SELECT = """
            SELECT id, status, stage, round, rounds, request, split, mode, skill_name, draft_id, draft, draft_tokens, max_tokens, message,
                   problem, created_at, updated_at, finished_at FROM experiments""";

    private static final String SELECT_ROUND = """
            SELECT experiment_id, round, s0, stage1_evaluation, trajectories_sent, trajectories_rejected, run_id, run, run_tokens, s_star,
                   leaks, test_evaluation FROM experiment_rounds""";
}
