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
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Patch pools, merge nodes and outputs in PostgreSQL. Writes are idempotent: redelivered messages change nothing. */
@ApplicationScoped
public class MergerStore {
    @Inject
    Jdbi jdbi;

    /** A run as the merger knows it. */
    public record Run(String runId, String skillName, SkillSnapshot s0, RunConfig config, List<String> jobIds, MergeStatus status,
                      Instant startedAt, Instant deadline, String message) {
    }

    /** A row of {@code runs}, its JSON columns as text. */
    public record RunRow(String runId, String skillName, String s0, String config, String jobIds, String status, Instant startedAt,
                         Instant deadline, String message) {
        Run run() {
            return new Run(runId, skillName, Json.read(s0, SkillSnapshot.class), Json.read(config, RunConfig.class),
                    List.of(Json.read(jobIds, String[].class)), MergeStatus.fromWire(status), startedAt, deadline, message);
        }
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
        Instant firstDeadline = deadline;
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO runs (run_id, skill_name, s0, config, job_ids, total_jobs, status, started_at, deadline, idle_ms, max_deadline)
                            VALUES (:runId, :skillName, :s0, :config, :jobIds, :totalJobs, :status, :startedAt, :deadline, :idleMs, :maxDeadline)
                            ON CONFLICT (run_id) DO NOTHING""")
                    .bind("runId", r.runId())
                    .bind("skillName", r.skill().name())
                    .bind("s0", Json.write(r.skill()))
                    .bind("config", Json.write(r.config()))
                    .bind("jobIds", Json.write(r.jobIds()))
                    .bind("totalJobs", r.jobIds().size())
                    .bind("status", MergeStatus.COLLECTING.wire())
                    .bind("startedAt", r.startedAt())
                    .bind("deadline", firstDeadline)
                    .bind("idleMs", idle.toMillis())
                    .bind("maxDeadline", cap)
                    .execute();
            // a run trace-ingest already failed (its RUN_ABORTED came first) is recorded as failed with that reason
            h.createUpdate("""
                            UPDATE runs r SET status = :failed, message = 'aborted by trace-ingest: ' || a.reason, updated_at = now()
                            FROM run_aborts a WHERE r.run_id = :runId AND a.run_id = r.run_id AND r.status <> :failed""")
                    .bind("runId", r.runId()).bind("failed", MergeStatus.FAILED.wire())
                    .execute();
        });
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
     * Every stored result is counted in {@code pool_sizes}, which {@link #runsToMerge} reads.
     */
    public Saved savePatch(PatchResult p) {
        return jdbi.inTransaction(h -> {
            Optional<String> status = h.createQuery("SELECT status FROM runs WHERE run_id = :runId FOR NO KEY UPDATE")
                    .bind("runId", p.runId()).mapTo(String.class).findOne();
            boolean late = status.isPresent() && !status.get().equals(MergeStatus.COLLECTING.wire());
            // one statement stores the result, counts it in its pool's size and, when it is pooled, moves the deadline
            int inserted = h.createQuery("""
                            WITH stored AS (
                                INSERT INTO patches (patch_id, run_id, job_id, trajectory_id, trajectory_success, analyst, status, body, late)
                                VALUES (:patchId, :runId, :jobId, :trajectoryId, :success, :analyst, :status, :body, :late)
                                ON CONFLICT (patch_id) DO NOTHING RETURNING run_id),
                            sized AS (
                                INSERT INTO pool_sizes (run_id, patches) SELECT run_id, 1 FROM stored
                                ON CONFLICT (run_id) DO UPDATE SET patches = pool_sizes.patches + 1),
                            moved AS (
                                UPDATE runs SET last_result_at = now(),
                                       deadline = LEAST(now() + coalesce(idle_ms, 0) * interval '1 millisecond', coalesce(max_deadline, 'infinity'))
                                WHERE run_id = :runId AND status = :collecting AND idle_ms IS NOT NULL AND NOT :late
                                  AND EXISTS (SELECT 1 FROM stored))
                            SELECT count(*) FROM stored""")
                    .bind("patchId", p.patchId())
                    .bind("runId", p.runId())
                    .bind("jobId", p.jobId())
                    .bind("trajectoryId", p.trajectoryId())
                    .bind("success", p.trajectorySuccess())
                    .bind("analyst", p.analyst().wire())
                    .bind("status", p.status().name())
                    .bind("body", Json.write(p))
                    .bind("late", late)
                    .bind("collecting", MergeStatus.COLLECTING.wire())
                    .mapTo(Integer.class).one();
            return inserted == 0 ? Saved.DUPLICATE : late ? Saved.LATE : Saved.POOLED;
        });
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

    /** A row of the window query. */
    public record WindowRow(Long idleMs, Instant maxDeadline, Instant lastResultAt, String poolCounts, int late) {
        Window window() {
            return new Window(idleMs == null ? null : Duration.ofMillis(idleMs), maxDeadline, lastResultAt, late, poolCounts);
        }
    }

    public Window window(String runId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT idle_ms, max_deadline, last_result_at, pool_counts,
                               (SELECT count(*) FROM patches p WHERE p.run_id = r.run_id AND p.late) AS late
                        FROM runs r WHERE run_id = :runId""")
                .bind("runId", runId)
                .map(ConstructorMapper.of(WindowRow.class)).map(WindowRow::window).findOne()
                .orElse(new Window(null, null, null, 0, null)));
    }

    /** A late result as stored. */
    public record LateRow(String trajectoryId, String analyst, String status, Instant receivedAt) {
        @Override
        public String toString() {
            return trajectoryId + " (" + analyst + ", " + status.toLowerCase(java.util.Locale.ROOT) + ", arrived " + receivedAt + ")";
        }
    }

    /** The results that arrived after the run's merge started: "trajectory (analyst, status)". */
    public List<String> lateResults(String runId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT trajectory_id, analyst, status, received_at FROM patches WHERE run_id = :runId AND late
                        ORDER BY received_at, patch_id""")
                .bind("runId", runId)
                .map(ConstructorMapper.of(LateRow.class)).map(LateRow::toString).list());
    }

    /**
     * Fixes the order the pool is grouped in the first time a merge starts, and returns the order in force: a resumed
     * merge gets the first attempt's order back, whatever it computed this time.
     */
    public List<String> fixMergeOrder(String runId, List<String> patchIds) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE runs SET merge_order = :order WHERE run_id = :runId AND merge_order IS NULL")
                    .bind("order", Json.write(patchIds)).bind("runId", runId).execute();
            return h.createQuery("SELECT merge_order FROM runs WHERE run_id = :runId").bind("runId", runId)
                    .mapTo(String.class).findOne()
                    .map(order -> List.of(Json.read(order, String[].class))).orElse(patchIds);
        });
    }

    public void savePoolCounts(String runId, String countsJson) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET pool_counts = :counts WHERE run_id = :runId")
                .bind("counts", countsJson).bind("runId", runId).execute());
    }

    public Optional<Run> run(String runId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT run_id, skill_name, s0, config, job_ids, status, started_at, deadline, message FROM runs WHERE run_id = :runId""")
                .bind("runId", runId)
                .map(ConstructorMapper.of(RunRow.class)).map(RunRow::run).findOne());
    }

    /**
     * Runs to merge now: every job answered, or the merge window closed (with or without results: a run with nothing
     * to merge then fails with the reason instead of collecting for ever); and interrupted merges.
     */
    public List<String> runsToMerge() {
        // the pool's size as stored decides first; only a pool that has reached its jobs is counted by distinct job (CASE
        // keeps that count from running for every collecting run on every result)
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT r.run_id FROM runs r LEFT JOIN pool_sizes s ON s.run_id = r.run_id
                        WHERE r.status = :merging
                           OR (r.status = :collecting AND (r.deadline < now() OR CASE
                                WHEN coalesce(s.patches, 0) >= r.total_jobs
                                THEN (SELECT count(DISTINCT p.job_id) FROM patches p WHERE p.run_id = r.run_id) >= r.total_jobs
                                ELSE false END))
                        ORDER BY r.started_at""")
                .bind("merging", MergeStatus.MERGING.wire()).bind("collecting", MergeStatus.COLLECTING.wire())
                .mapTo(String.class).list());
    }

    /** How many results the run's pool holds (those that arrived before its merge started), without reading them. */
    public int pooled(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM patches WHERE run_id = :runId AND NOT late")
                .bind("runId", runId).mapTo(Integer.class).one());
    }

    /** The run's results that arrived before its merge started (the pool), in arrival order. */
    public List<PatchResult> results(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT body FROM patches WHERE run_id = :runId AND NOT late ORDER BY received_at, patch_id")
                .bind("runId", runId)
                .mapTo(String.class).map(body -> Json.read(body, PatchResult.class)).list());
    }

    /** Moves the run on, unless it has failed (a failed run stays failed with its first reason). */
    public boolean status(String runId, MergeStatus status, String message) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :status, message = coalesce(:message, message), updated_at = now()
                        WHERE run_id = :runId AND status <> :failed""")
                .bind("status", status.wire()).bind("message", message).bind("runId", runId).bind("failed", MergeStatus.FAILED.wire())
                .execute()) == 1;
    }

    /** The merger failed the run: trace-ingest must be told (RUN_FAILED) until the broker has acknowledged it. */
    public boolean failed(String runId, String message) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :failed, message = :message, failure_announced = false, updated_at = now()
                        WHERE run_id = :runId AND status <> :failed""")
                .bind("failed", MergeStatus.FAILED.wire()).bind("message", message).bind("runId", runId)
                .execute()) == 1;
    }

    /**
     * trace-ingest failed the run: it is failed here too with the same reason, whatever its state (also a merged one:
     * trace-ingest does not register S* of a run it failed). An abort for a run not seen yet is kept for when its
     * announcement arrives. Returns whether a run changed.
     */
    public boolean aborted(String runId, String reason) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO run_aborts (run_id, reason) VALUES (:runId, :reason) ON CONFLICT (run_id) DO NOTHING")
                    .bind("runId", runId).bind("reason", reason).execute();
            return h.createUpdate("""
                            UPDATE runs SET status = :failed, message = 'aborted by trace-ingest: ' || CAST(:reason AS text), failure_announced = true,
                                   updated_at = now()
                            WHERE run_id = :runId AND status <> :failed""")
                    .bind("failed", MergeStatus.FAILED.wire()).bind("reason", reason).bind("runId", runId)
                    .execute() == 1;
        });
    }

    /** Runs this merger failed that trace-ingest has not yet been told about (run id → reason). */
    public java.util.Map<String, String> unannouncedFailures(int limit) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT run_id, coalesce(message, 'failed') AS message FROM runs WHERE NOT failure_announced ORDER BY updated_at LIMIT :limit""")
                .bind("limit", limit)
                .map(ConstructorMapper.of(Unannounced.class)).forEach(u -> out.put(u.runId(), u.message())));
        return out;
    }

    public record Unannounced(String runId, String message) {
    }

    public void failureAnnounced(String runId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET failure_announced = true WHERE run_id = :runId").bind("runId", runId).execute());
    }

    /** A run cancelled by a user: collecting or merging runs become failed (so they are not merged); others stay. */
    public void cancelled(String runId, String message) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :failed, message = :message, updated_at = now()
                        WHERE run_id = :runId AND status IN (:collecting, :merging)""")
                .bind("failed", MergeStatus.FAILED.wire()).bind("message", message).bind("runId", runId)
                .bind("collecting", MergeStatus.COLLECTING.wire()).bind("merging", MergeStatus.MERGING.wire())
                .execute());
    }

    public Optional<NodeResult> node(String runId, String nodeId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT result FROM merge_nodes WHERE run_id = :runId AND node_id = :nodeId")
                .bind("runId", runId).bind("nodeId", nodeId)
                .mapTo(String.class).map(result -> Json.read(result, NodeResult.class)).findOne());
    }

    public void saveNode(String runId, MergeGroup g, NodeResult r) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO merge_nodes (run_id, node_id, level, idx, inputs, result, engine, repairs, fallback, prompt_tokens,
                                                 completion_tokens, latency_ms)
                        VALUES (:runId, :nodeId, :level, :idx, :inputs, :result, :engine, :repairs, :fallback, :prompt, :completion, :latency)
                        ON CONFLICT (run_id, node_id) DO NOTHING""")
                .bind("runId", runId)
                .bind("nodeId", g.nodeId())
                .bind("level", g.level())
                .bind("idx", g.index())
                .bind("inputs", Json.write(g.inputs()))
                .bind("result", Json.write(r))
                .bind("engine", r.engine())
                .bind("repairs", r.repairs())
                .bind("fallback", r.fallback())
                .bind("prompt", r.usage().promptTokens())
                .bind("completion", r.usage().completionTokens())
                .bind("latency", r.latencyMillis())
                .execute());
    }

    /** A persisted node with its bookkeeping, for the merge tree. */
    public record Node(String nodeId, int level, int index, List<String> inputs, NodeResult result, String doneAt) {
    }

    /** A row of {@code merge_nodes}, its JSON columns as text. */
    public record NodeRow(String nodeId, int level, int idx, String inputs, String result, Instant doneAt) {
        Node node() {
            return new Node(nodeId, level, idx, List.of(Json.read(inputs, String[].class)), Json.read(result, NodeResult.class),
                    doneAt.toString());
        }
    }

    public List<Node> nodes(String runId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT node_id, level, idx, inputs, result, done_at FROM merge_nodes WHERE run_id = :runId ORDER BY level, idx")
                .bind("runId", runId)
                .map(ConstructorMapper.of(NodeRow.class)).map(NodeRow::node).list());
    }

    /** The outputs of a finished run, each a JSON or text column. */
    public record Outputs(SkillSnapshot sStar, String applied, String decisions, String fitMoves, String diff, String changelog,
                          String provenance, String tree) {
    }

    /** A row of {@code run_outputs}. */
    public record OutputsRow(String sStar, String applied, String decisions, String fitMoves, String diff, String changelog,
                             String provenance, String tree) {
        Outputs outputs() {
            return new Outputs(Json.read(sStar, SkillSnapshot.class), applied, decisions, fitMoves, diff, changelog, provenance, tree);
        }
    }

    public void saveOutputs(String runId, Outputs o) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO run_outputs (run_id, s_star, applied, decisions, fit_moves, diff, changelog, provenance, tree)
                        VALUES (:runId, :sStar, :applied, :decisions, :fitMoves, :diff, :changelog, :provenance, :tree)
                        ON CONFLICT (run_id) DO NOTHING""")
                .bind("runId", runId)
                .bind("sStar", Json.write(o.sStar()))
                .bind("applied", o.applied())
                .bind("decisions", o.decisions())
                .bind("fitMoves", o.fitMoves())
                .bind("diff", o.diff())
                .bind("changelog", o.changelog())
                .bind("provenance", o.provenance())
                .bind("tree", o.tree())
                .execute());
    }

    /** The safety check's findings about the run's S* (JSON array). */
    public void saveSafety(String runId, String findings) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE run_outputs SET safety = :safety WHERE run_id = :runId")
                .bind("safety", findings).bind("runId", runId).execute());
    }

    /** The safety findings stored with the run's S*, or empty when it has no S* yet. */
    public Optional<String> safety(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT safety FROM run_outputs WHERE run_id = :runId").bind("runId", runId)
                .mapTo(String.class).findOne());
    }

    /**
     * Records the registry version S* of a run was stored as: the stored S* carries it from now on. Idempotent; a run
     * without outputs yet is left alone (S* is saved before it is published, so this does not happen in order).
     */
    public void registered(String runId, int version) {
        outputs(runId).ifPresent(o -> {
            if (o.sStar().version() != version) {
                SkillSnapshot s = o.sStar();
                jdbi.useHandle(h -> h.createUpdate("UPDATE run_outputs SET s_star = :sStar WHERE run_id = :runId")
                        .bind("sStar", Json.write(new SkillSnapshot(s.name(), version, s.hash(), s.files()))).bind("runId", runId)
                        .execute());
            }
        });
    }

    public Optional<Outputs> outputs(String runId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT s_star, applied, decisions, fit_moves, diff, changelog, provenance, tree FROM run_outputs WHERE run_id = :runId")
                .bind("runId", runId)
                .map(ConstructorMapper.of(OutputsRow.class)).map(OutputsRow::outputs).findOne());
    }

    /**
     * Runs {@code merge} while holding PostgreSQL's advisory lock for the run (one merger replica merges a run at a
     * time), and releases the lock afterwards; returns false without running it when another replica holds the lock.
     */
    public boolean underRunLock(String runId, Runnable merge) {
        try (Handle h = jdbi.open()) {
            String key = "merge:" + runId;
            boolean locked = h.createQuery("SELECT pg_try_advisory_lock(hashtext(:key))").bind("key", key).mapTo(Boolean.class).one();
            if (!locked) {
                return false;
            }
            try {
                merge.run();
                return true;
            } finally {
                h.createQuery("SELECT pg_advisory_unlock(hashtext(:key))").bind("key", key).mapTo(Boolean.class).one();
            }
        }
    }
}
