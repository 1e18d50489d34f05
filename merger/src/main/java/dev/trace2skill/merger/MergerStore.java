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

    public void saveRun(RunStarted r, Duration stragglerTimeout) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO runs (run_id, skill_name, s0, config, job_ids, total_jobs, status, started_at, deadline)
                        VALUES (:runId, :skillName, :s0, :config, :jobIds, :totalJobs, :status, :startedAt, :deadline)
                        ON CONFLICT (run_id) DO NOTHING""")
                .bind("runId", r.runId())
                .bind("skillName", r.skill().name())
                .bind("s0", Json.write(r.skill()))
                .bind("config", Json.write(r.config()))
                .bind("jobIds", Json.write(r.jobIds()))
                .bind("totalJobs", r.jobIds().size())
                .bind("status", MergeStatus.COLLECTING.wire())
                .bind("startedAt", r.startedAt())
                .bind("deadline", Instant.now().plus(stragglerTimeout))
                .execute());
    }

    /** Stores a result once per patch id; returns whether it was new. */
    public boolean savePatch(PatchResult p) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO patches (patch_id, run_id, job_id, trajectory_id, trajectory_success, analyst, status, body)
                        VALUES (:patchId, :runId, :jobId, :trajectoryId, :success, :analyst, :status, :body)
                        ON CONFLICT (patch_id) DO NOTHING""")
                .bind("patchId", p.patchId())
                .bind("runId", p.runId())
                .bind("jobId", p.jobId())
                .bind("trajectoryId", p.trajectoryId())
                .bind("success", p.trajectorySuccess())
                .bind("analyst", p.analyst().wire())
                .bind("status", p.status().name())
                .bind("body", Json.write(p))
                .execute()) == 1;
    }

    public Optional<Run> run(String runId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT run_id, skill_name, s0, config, job_ids, status, started_at, deadline, message FROM runs WHERE run_id = :runId""")
                .bind("runId", runId)
                .map(ConstructorMapper.of(RunRow.class)).map(RunRow::run).findOne());
    }

    /** Runs to merge now: every job answered, or the straggler deadline passed with at least one result; and interrupted merges. */
    public List<String> runsToMerge() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT r.run_id FROM runs r
                        WHERE r.status = :merging
                           OR (r.status = :collecting AND (
                                (SELECT count(DISTINCT p.job_id) FROM patches p WHERE p.run_id = r.run_id) >= r.total_jobs
                             OR (r.deadline < now() AND EXISTS (SELECT 1 FROM patches p WHERE p.run_id = r.run_id))))
                        ORDER BY r.started_at""")
                .bind("merging", MergeStatus.MERGING.wire()).bind("collecting", MergeStatus.COLLECTING.wire())
                .mapTo(String.class).list());
    }

    public List<PatchResult> results(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT body FROM patches WHERE run_id = :runId ORDER BY received_at, patch_id")
                .bind("runId", runId)
                .mapTo(String.class).map(body -> Json.read(body, PatchResult.class)).list());
    }

    public void status(String runId, MergeStatus status, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET status = :status, message = coalesce(:message, message), updated_at = now() WHERE run_id = :runId")
                .bind("status", status.wire()).bind("message", message).bind("runId", runId)
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
