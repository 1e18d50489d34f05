package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.Topics;
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
            // a publishing run is taken (claimed) by the request that creates it: its first attempt
            h.createUpdate("""
                            INSERT INTO runs (id, status, mode, analysts, engine, skill_name, skill_version, request, config,
                                              publish_attempts, publish_claimed_at, request_id)
                            VALUES (:id, :status, :mode, :analysts, :engine, :skillName, :skillVersion, :request::jsonb, :config::jsonb,
                                    :attempts, CASE WHEN :attempts > 0 THEN now() END, :requestId)""")
                    .bind("id", run.id())
                    .bind("attempts", run.status() == RunStatus.PUBLISHING ? 1 : 0)
                    .bind("status", run.status().wire())
                    .bind("mode", run.config().mode().wire())
                    .bind("analysts", run.config().analysts().wire())
                    .bind("engine", run.config().engine().wire())
                    .bind("skillName", run.skillName())
                    .bind("skillVersion", run.skillVersion())
                    .bind("request", Json.write(run.request()))
                    .bind("config", Json.write(run.config()))
                    .bind("requestId", run.request().requestId())
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

    /** The run's jobs are on the topic: it is analysing (unless it ended meanwhile). */
    public void published(String runId, int jobs, int skillVersion) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :status, jobs_published = :jobs, skill_version = :version, publish_claimed_at = NULL,
                               message = NULL, updated_at = now()
                        WHERE id = :id AND status IN (:publishing, :drafting)""")
                .bind("status", RunStatus.ANALYSING.wire()).bind("jobs", jobs).bind("version", skillVersion).bind("id", runId)
                .bind("publishing", RunStatus.PUBLISHING.wire()).bind("drafting", RunStatus.DRAFTING.wire())
                .execute());
    }

    /** A Creation-mode run's drafted S0 is stored as {@code version}: the run publishes its jobs next (first attempt claimed). */
    public boolean drafted(String runId, int version) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :publishing, skill_version = :version, publish_attempts = 1, publish_claimed_at = now(),
                               updated_at = now()
                        WHERE id = :id AND status = :drafting""")
                .bind("publishing", RunStatus.PUBLISHING.wire()).bind("drafting", RunStatus.DRAFTING.wire())
                .bind("version", version).bind("id", runId)
                .execute()) == 1;
    }

    /**
     * Fails the run with the reason, unless it already ended (a done run stays done; a failed one keeps its first
     * reason). With {@code tellMerger}, the run is marked for a RUN_ABORTED announcement to the merger (see
     * {@link #unannouncedAborts}). Returns whether the run changed.
     */
    public boolean failed(String runId, String message, boolean tellMerger) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :failed, message = :message, abort_announced = :announced, publish_claimed_at = NULL,
                               updated_at = now()
                        WHERE id = :id AND status NOT IN (:failed, :done)""")
                .bind("failed", RunStatus.FAILED.wire()).bind("done", RunStatus.DONE.wire())
                .bind("message", message).bind("announced", !tellMerger).bind("id", runId)
                .execute()) == 1;
    }

    /** A publishing attempt failed and another follows: the run stays publishing, with why, until a replica retries it. */
    public void publishFailed(String runId, String message) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE runs SET message = :message, publish_claimed_at = NULL, updated_at = now()
                        WHERE id = :id AND status = :publishing""")
                .bind("message", message).bind("id", runId).bind("publishing", RunStatus.PUBLISHING.wire())
                .execute());
    }

    /**
     * Takes up to {@code limit} publishing runs no replica is publishing now (none took it, or the one that did has not
     * finished within {@code claimTimeout}) whose last attempt is at least {@code retryDelay} old, counting the attempt.
     * Two replicas never take the same run (row locks, skipped when held).
     */
    public List<Claim> claimPublishing(java.time.Duration retryDelay, java.time.Duration claimTimeout, int limit) {
        return jdbi.inTransaction(h -> h.createQuery("""
                        UPDATE runs SET publish_attempts = publish_attempts + 1, publish_claimed_at = now(), updated_at = now()
                        WHERE id IN (SELECT id FROM runs
                                     WHERE status = :publishing
                                       AND ((publish_claimed_at IS NULL AND updated_at < now() - :retryMs * interval '1 millisecond')
                                         OR publish_claimed_at < now() - :claimMs * interval '1 millisecond')
                                     ORDER BY updated_at LIMIT :limit FOR UPDATE SKIP LOCKED)
                        RETURNING id, publish_attempts""")
                .bind("publishing", RunStatus.PUBLISHING.wire())
                .bind("retryMs", retryDelay.toMillis()).bind("claimMs", claimTimeout.toMillis()).bind("limit", limit)
                .map(ConstructorMapper.of(Claim.class)).list());
    }

    /** A run taken to publish, with its attempt number. */
    public record Claim(String id, int publishAttempts) {
    }

    /** Drafting runs whose draft has not arrived within {@code timeout}. */
    public List<String> overdueDrafts(java.time.Duration timeout) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id FROM runs WHERE status = :drafting AND updated_at < now() - :ms * interval '1 millisecond'
                        ORDER BY updated_at LIMIT 50""")
                .bind("drafting", RunStatus.DRAFTING.wire()).bind("ms", timeout.toMillis())
                .mapTo(String.class).list());
    }

    /** Failed runs the merger has not yet been told about (id → reason). */
    public Map<String, String> unannouncedAborts(int limit) {
        Map<String, String> out = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT id, coalesce(message, 'failed') AS message FROM runs WHERE NOT abort_announced ORDER BY updated_at LIMIT :limit""")
                .bind("limit", limit)
                .map(ConstructorMapper.of(Abort.class)).forEach(a -> out.put(a.id(), a.message())));
        return out;
    }

    public record Abort(String id, String message) {
    }

    public void abortAnnounced(String runId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE runs SET abort_announced = true WHERE id = :id").bind("id", runId).execute());
    }

    /** What publishing a run's jobs needs from its row. */
    public record Launch(String id, String status, String skillName, Integer skillVersion, String config, Instant createdAt,
                         int publishAttempts) {
        RunConfig runConfig() {
            return Json.read(config, RunConfig.class);
        }
    }

    public Optional<Launch> launch(String runId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, status, skill_name, skill_version, config, created_at, publish_attempts FROM runs WHERE id = :id""")
                .bind("id", runId).map(ConstructorMapper.of(Launch.class)).findOne());
    }

    /** The run's job keys (run id + ":" + trajectory id), in trajectory id order. */
    public List<String> jobKeys(String runId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT trajectory_id FROM run_jobs WHERE run_id = :run ORDER BY trajectory_id")
                .bind("run", runId).mapTo(String.class).map(t -> Topics.jobKey(runId, t)).list());
    }

    public Optional<RunStatus> status(String runId) {
        return scalar("SELECT status FROM runs WHERE id = :id", runId).map(RunStatus::fromWire);
    }

    /**
     * Counts a patch result once: the first result for a job wins, redeliveries change nothing. One statement (the job's
     * result and the run's counts change together or not at all), one round trip per result.
     */
    public boolean record(PatchResult r) {
        boolean ok = r.proposed();
        return jdbi.withHandle(h -> h.createUpdate("""
                        WITH job AS (UPDATE run_jobs SET result = :result
                                     WHERE run_id = :run AND trajectory_id = :trajectory AND result IS NULL RETURNING run_id)
                        UPDATE runs SET analyses_done = analyses_done + :done, analyses_failed = analyses_failed + :failed,
                               patches = patches + :patches, prompt_tokens = prompt_tokens + :prompt,
                               completion_tokens = completion_tokens + :completion, updated_at = now()
                        FROM job WHERE runs.id = job.run_id""")
                .bind("result", r.status().name()).bind("run", r.runId()).bind("trajectory", r.trajectoryId())
                .bind("done", ok ? 1 : 0)
                .bind("failed", ok ? 0 : 1)
                .bind("patches", ok && r.patch() != null ? 1 : 0)
                .bind("prompt", r.usage() == null ? 0L : r.usage().promptTokens())
                .bind("completion", r.usage() == null ? 0L : r.usage().completionTokens())
                .execute() == 1);
    }

    public void mergeProgress(RunEvent e) {
        RunStatus status = switch (e.type()) {
            case MERGE_STARTED, MERGE_PROGRESS -> RunStatus.MERGING;
            case MERGE_DONE -> RunStatus.MERGED;
            case RUN_FAILED -> RunStatus.FAILED;
            case RESULT_LATE, RUN_CANCELLED -> null;
            case SKILL_REGISTERED, SKILL_HELD, SKILL_REJECTED, RUN_ABORTED ->
                    throw new IllegalArgumentException(e.type() + " is trace-ingest's own event, not merge progress");
        };
        if (e.pool() != null) {
            poolCounts(e.runId(), e.pool());
        }
        if (status == null) {
            return;
        }
        jdbi.useHandle(h -> {
            h.createUpdate("""
                            UPDATE runs SET status = CASE WHEN status IN (:done, :failed, :held, :cancelled) THEN status ELSE :status END,
                                   merge_level = coalesce(:level, merge_level), merge_levels = coalesce(:levels, merge_levels),
                                   merge_nodes_done = coalesce(:nodesDone, merge_nodes_done),
                                   merge_nodes_total = coalesce(:nodesTotal, merge_nodes_total),
                                   message = CASE WHEN status IN (:done, :failed, :held, :cancelled) THEN message ELSE coalesce(:message, message) END,
                                   updated_at = now()
                            WHERE id = :id""")
                    .bind("done", RunStatus.DONE.wire()).bind("failed", RunStatus.FAILED.wire())
                    .bind("held", RunStatus.NEEDS_APPROVAL.wire()).bind("status", status.wire())
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

    /** S* was flagged by the safety check and is held as a candidate: the run waits for a person's decision. */
    public void needsApproval(String runId, String message) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :status, message = :message, updated_at = now()
                        WHERE id = :id AND status NOT IN (:done, :failed)""")
                .bind("status", RunStatus.NEEDS_APPROVAL.wire()).bind("message", message).bind("id", runId)
                .bind("done", RunStatus.DONE.wire()).bind("failed", RunStatus.FAILED.wire())
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
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE runs SET status = :status, evolved_version = :version, updated_at = now() WHERE id = :id AND status <> :failed""")
                .bind("status", RunStatus.DONE.wire()).bind("version", version).bind("id", runId).bind("failed", RunStatus.FAILED.wire())
                .execute());
    }

    public Optional<RunView> get(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_RUN + " WHERE id = :id").bind("id", id)
                .map(ConstructorMapper.of(Run.class)).findOne().map(Run::view));
    }

    /** The run a client's key started, if any. */
    public Optional<RunView> byRequestId(String requestId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_RUN + " WHERE request_id = :requestId").bind("requestId", requestId)
                .map(ConstructorMapper.of(Run.class)).findOne().map(Run::view));
    }

    public List<RunView> list(int limit) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_RUN + " ORDER BY created_at DESC LIMIT :limit").bind("limit", limit)
                .map(ConstructorMapper.of(Run.class)).map(Run::view).list());
    }

    private static final String SELECT_RUN = """
            SELECT id, status, mode, analysts, engine, skill_name, skill_version, config, jobs_published, analyses_done, analyses_failed,
                   patches, merge_level, merge_levels, merge_nodes_done, merge_nodes_total, prompt_tokens, completion_tokens,
                   evolved_version, pool_counts, message, created_at, updated_at,
                   (SELECT c.id FROM skill_candidates c WHERE c.run_id = runs.id) AS candidate_id,
                   (SELECT c.status FROM skill_candidates c WHERE c.run_id = runs.id) AS candidate_status,
                   (SELECT jsonb_array_length(c.findings) FROM skill_candidates c WHERE c.run_id = runs.id) AS candidate_findings
            FROM runs""";

    /** A row of {@code runs}. */
    public record Run(String id, String status, String mode, String analysts, String engine, String skillName, Integer skillVersion,
                      String config, int jobsPublished, int analysesDone, int analysesFailed, int patches, Integer mergeLevel,
                      Integer mergeLevels, Integer mergeNodesDone, Integer mergeNodesTotal, long promptTokens, long completionTokens,
                      Integer evolvedVersion, String poolCounts, String message, Instant createdAt, Instant updatedAt,
                      String candidateId, String candidateStatus, Integer candidateFindings) {
        RunView view() {
            return new RunView(id, RunStatus.fromWire(status), mode, analysts, engine,
                    skillVersion == null ? skillName : skillName + "@" + skillVersion,
                    evolvedVersion == null ? null : skillName + "@" + evolvedVersion,
                    new RunView.Counts(jobsPublished, analysesDone, analysesFailed, patches),
                    new RunView.Merge(mergeLevel, mergeLevels, mergeNodesDone, mergeNodesTotal),
                    new RunView.Tokens(promptTokens, completionTokens, promptTokens + completionTokens),
                    Json.read(config, RunConfig.class).maxTokens(), pool(poolCounts), message, createdAt.toString(), updatedAt.toString(),
                    candidateId == null ? null : new RunView.Candidate(candidateId, candidateStatus, candidateFindings == null ? 0 : candidateFindings,
                            "/v1/skills/" + skillName + "/candidates/" + candidateId));
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
