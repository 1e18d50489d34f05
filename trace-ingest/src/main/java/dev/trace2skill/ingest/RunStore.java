package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs and their progress in PostgreSQL. Progress messages are counted once per job, however often redelivered. */
@ApplicationScoped
public class RunStore {
    @Inject
    Jdbi jdbi;

    public record NewRun(String id, RunStatus status, RunConfig config, String skillName, Integer skillVersion, RunRequest request) {
    }

    public void create(NewRun run, Map<String, AnalystKind> jobs) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO runs (id, status, mode, analysts, engine, skill_name, skill_version, request, config)
                            VALUES (:id, :status, :mode, :analysts, :engine, :skillName, :skillVersion, :request::jsonb, :config::jsonb)""")
                    .bind("id", run.id())
                    .bind("status", run.status().wire())
                    .bind("mode", run.config().mode().wire())
                    .bind("analysts", run.config().analysts().wire())
                    .bind("engine", run.config().engine().wire())
                    .bind("skillName", run.skillName())
                    .bind("skillVersion", run.skillVersion())
                    .bind("request", Json.write(run.request()))
                    .bind("config", Json.write(run.config()))
                    .execute();
            PreparedBatch batch = h.prepareBatch("INSERT INTO run_jobs (run_id, trajectory_id, analyst) VALUES (:run, :trajectory, :analyst)");
            jobs.forEach((trajectory, analyst) -> batch.bind("run", run.id()).bind("trajectory", trajectory).bind("analyst", analyst.wire()).add());
            batch.execute();
        });
    }

    /** The run's jobs: trajectory id → analyst. */
    public Map<String, AnalystKind> jobs(String runId) {
        Map<String, AnalystKind> out = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT trajectory_id, analyst FROM run_jobs WHERE run_id = :run ORDER BY trajectory_id")
                .bind("run", runId)
                .map(ConstructorMapper.of(Job.class))
                .forEach(j -> out.put(j.trajectoryId(), AnalystKind.fromWire(j.analyst()))));
        return out;
    }

    public record Job(String trajectoryId, String analyst) {
    }

    public Optional<RunConfig> config(String runId) {
        return scalar("SELECT config FROM runs WHERE id = :id", runId).map(s -> Json.read(s, RunConfig.class));
    }

    public Optional<String> skillName(String runId) {
        return scalar("SELECT skill_name FROM runs WHERE id = :id", runId);
    }

    public void published(String runId, int jobs, int skillVersion) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = CASE WHEN status = :cancelled THEN status ELSE :status END,
                               jobs_published = :jobs, skill_version = :version, updated_at = now()
                        WHERE id = :id""")
                .bind("cancelled", RunStatus.CANCELLED.wire())
                .bind("status", RunStatus.ANALYSING.wire()).bind("jobs", jobs).bind("version", skillVersion).bind("id", runId)
                .execute());
    }

    public void failed(String runId, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET status = :status, message = :message, updated_at = now() WHERE id = :id")
                .bind("status", RunStatus.FAILED.wire()).bind("message", message).bind("id", runId)
                .execute());
    }

    /** Counts a patch result once: the first result for a job wins, redeliveries change nothing. */
    public boolean record(PatchResult r) {
        return jdbi.inTransaction(h -> {
            int changed = h.createUpdate("""
                            UPDATE run_jobs SET result = :result WHERE run_id = :run AND trajectory_id = :trajectory AND result IS NULL""")
                    .bind("result", r.status().name()).bind("run", r.runId()).bind("trajectory", r.trajectoryId())
                    .execute();
            if (changed == 1) {
                boolean ok = r.proposed();
                h.createUpdate("""
                                UPDATE runs SET analyses_done = analyses_done + :done, analyses_failed = analyses_failed + :failed,
                                       patches = patches + :patches, prompt_tokens = prompt_tokens + :prompt,
                                       completion_tokens = completion_tokens + :completion, updated_at = now()
                                WHERE id = :id""")
                        .bind("done", ok ? 1 : 0)
                        .bind("failed", ok ? 0 : 1)
                        .bind("patches", ok && r.patch() != null ? 1 : 0)
                        .bind("prompt", r.usage() == null ? 0L : r.usage().promptTokens())
                        .bind("completion", r.usage() == null ? 0L : r.usage().completionTokens())
                        .bind("id", r.runId())
                        .execute();
            }
            return changed == 1;
        });
    }

    public void mergeProgress(RunEvent e) {
        RunStatus status = switch (e.type()) {
            case MERGE_STARTED, MERGE_PROGRESS -> RunStatus.MERGING;
            case MERGE_DONE -> RunStatus.MERGED;
            case RUN_FAILED -> RunStatus.FAILED;
            case RESULT_LATE, RUN_CANCELLED -> null;
            case SKILL_REGISTERED -> throw new IllegalArgumentException("SKILL_REGISTERED is trace-ingest's own event, not merge progress");
        };
        if (e.pool() != null) {
            poolCounts(e.runId(), e.pool());
        }
        if (status == null) {
            return;
        }
        jdbi.useHandle(h -> {
            h.createUpdate("""
                            UPDATE runs SET status = CASE WHEN status IN (:done, :failed, :cancelled) THEN status ELSE :status END,
                                   merge_level = coalesce(:level, merge_level), merge_levels = coalesce(:levels, merge_levels),
                                   merge_nodes_done = coalesce(:nodesDone, merge_nodes_done),
                                   merge_nodes_total = coalesce(:nodesTotal, merge_nodes_total),
                                   message = coalesce(:message, message), updated_at = now()
                            WHERE id = :id""")
                    .bind("done", RunStatus.DONE.wire()).bind("failed", RunStatus.FAILED.wire()).bind("status", status.wire())
                    .bind("cancelled", RunStatus.CANCELLED.wire())
                    .bind("level", e.mergeLevel()).bind("levels", e.mergeLevels())
                    .bind("nodesDone", e.nodesDone()).bind("nodesTotal", e.nodesTotal())
                    .bind("message", e.message()).bind("id", e.runId())
                    .execute();
            if (e.usage() != null && e.type() == RunEvent.Type.MERGE_DONE) {
                h.createUpdate("""
                                UPDATE runs SET prompt_tokens = prompt_tokens + :prompt, completion_tokens = completion_tokens + :completion
                                WHERE id = :id""")
                        .bind("prompt", e.usage().promptTokens()).bind("completion", e.usage().completionTokens()).bind("id", e.runId())
                        .execute();
            }
        });
    }

    /** Merges the merger's pool counts (absolute values: a redelivered event changes nothing) into the run's. */
    public void poolCounts(String runId, Map<String, Integer> counts) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET pool_counts = pool_counts || :counts::jsonb, updated_at = now() WHERE id = :id")
                .bind("counts", Json.write(counts)).bind("id", runId)
                .execute());
    }

    /**
     * Cancels a run that is not over yet; true when it was cancelled by this call (false when it was already done,
     * failed or cancelled).
     */
    public boolean cancel(String runId, String message) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :cancelled, message = :message, updated_at = now()
                        WHERE id = :id AND status NOT IN (:done, :failed, :cancelled)""")
                .bind("cancelled", RunStatus.CANCELLED.wire()).bind("done", RunStatus.DONE.wire())
                .bind("failed", RunStatus.FAILED.wire()).bind("message", message).bind("id", runId)
                .execute()) == 1;
    }

    public void evolved(String runId, int version) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET status = :status, evolved_version = :version, updated_at = now() WHERE id = :id")
                .bind("status", RunStatus.DONE.wire()).bind("version", version).bind("id", runId)
                .execute());
    }

    public Optional<RunView> get(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_RUN + " WHERE id = :id").bind("id", id)
                .map(ConstructorMapper.of(Run.class)).findOne().map(Run::view));
    }

    public List<RunView> list(int limit) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_RUN + " ORDER BY created_at DESC LIMIT :limit").bind("limit", limit)
                .map(ConstructorMapper.of(Run.class)).map(Run::view).list());
    }

    private static final String SELECT_RUN = """
            SELECT id, status, mode, analysts, engine, skill_name, skill_version, config, jobs_published, analyses_done, analyses_failed,
                   patches, merge_level, merge_levels, merge_nodes_done, merge_nodes_total, prompt_tokens, completion_tokens,
                   evolved_version, pool_counts, message, created_at, updated_at
            FROM runs""";

    /** A row of {@code runs}. */
    public record Run(String id, String status, String mode, String analysts, String engine, String skillName, Integer skillVersion,
                      String config, int jobsPublished, int analysesDone, int analysesFailed, int patches, Integer mergeLevel,
                      Integer mergeLevels, Integer mergeNodesDone, Integer mergeNodesTotal, long promptTokens, long completionTokens,
                      Integer evolvedVersion, String poolCounts, String message, Instant createdAt, Instant updatedAt) {
        RunView view() {
            return new RunView(id, RunStatus.fromWire(status), mode, analysts, engine,
                    skillVersion == null ? skillName : skillName + "@" + skillVersion,
                    evolvedVersion == null ? null : skillName + "@" + evolvedVersion,
                    new RunView.Counts(jobsPublished, analysesDone, analysesFailed, patches),
                    new RunView.Merge(mergeLevel, mergeLevels, mergeNodesDone, mergeNodesTotal),
                    new RunView.Tokens(promptTokens, completionTokens, promptTokens + completionTokens),
                    Json.read(config, RunConfig.class).maxTokens(), pool(poolCounts), message, createdAt.toString(), updatedAt.toString());
        }
    }

    private static RunView.Pool pool(String json) {
        Map<String, Integer> m;
        try {
            m = json == null ? Map.of() : Json.mapper().readValue(json, COUNTS);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("pool_counts is not JSON: " + e.getOriginalMessage(), e);
        }
        if (m.isEmpty()) {
            return null;
        }
        return new RunView.Pool(m.getOrDefault("late", 0), m.getOrDefault("unverifiedDropped", 0), m.getOrDefault("unverifiedKept", 0),
                m.getOrDefault("unverifiedDownweighted", 0));
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>> COUNTS = new com.fasterxml.jackson.core.type.TypeReference<>() {
    };

    private Optional<String> scalar(String sql, String id) {
        return jdbi.withHandle(h -> h.createQuery(sql).bind("id", id).mapTo(String.class).findOne());
    }
}
