package dev.trace2skill.worker;

import dev.trace2skill.core.pipeline.PatchResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The worker's record of its analyses, one row per patch id. A redelivered job (a worker died before committing)
 * updates the row and counts the attempt. Written after the result is on Kafka; a database outage is logged and never
 * fails a job, since the merger's pool, not this ledger, is what runs depend on.
 */
@ApplicationScoped
public class AnalysisLedger {
    private static final Logger LOG = Logger.getLogger(AnalysisLedger.class);

    @Inject
    Jdbi jdbi;

    /** One analysis as {@code GET /v1/analyses} shows it. */
    public record Entry(String patchId, String runId, String trajectoryId, String analyst, String status, Boolean verified,
                        String failureReason, int edits, long promptTokens, long completionTokens, int modelCalls, int repairs,
                        long latencyMs, String worker, int attempts, String finishedAt, String promptVersion, String verification) {
    }

    /** A row of {@code analyses}. */
    public record Row(String patchId, String runId, String trajectoryId, String analyst, String status, Boolean verified,
                      String failureReason, int edits, long promptTokens, long completionTokens, int modelCalls, int repairs,
                      long latencyMs, String worker, int attempts, Instant finishedAt, String promptVersion, String verification) {
        Entry entry() {
            return new Entry(patchId, runId, trajectoryId, analyst, status, verified, failureReason, edits, promptTokens,
                    completionTokens, modelCalls, repairs, latencyMs, worker, attempts, finishedAt.toString(), promptVersion, verification);
        }
    }

    /**
     * Records a result and forgets its starts ({@link #finished}) in one statement (one round trip per job instead of two); where it fails,
     * the starts are still cleared on their own.
     */
    public void recordFinished(PatchResult r) {
        try {
            jdbi.useHandle(h -> bindResult(h.createUpdate("WITH cleared AS (DELETE FROM job_attempts WHERE patch_id = :patchId) " + UPSERT), r)
                    .execute());
        } catch (RuntimeException e) {
            LOG.warnf("analysis %s is on Kafka but not in the ledger: %s", r.patchId(), e.getMessage());
            finished(r.patchId());
        }
    }

    private static final String UPSERT = """
                            INSERT INTO analyses (patch_id, run_id, trajectory_id, analyst, status, verified, failure_reason, edits, prompt_tokens,
                                                  completion_tokens, model_calls, repairs, latency_ms, worker, prompt_version, verification)
                            VALUES (:patchId, :runId, :trajectoryId, :analyst, :status, :verified, :failureReason, :edits, :prompt,
                                    :completion, :modelCalls, :repairs, :latency, :worker, :promptVersion, :verification)
                            ON CONFLICT (patch_id) DO UPDATE SET status = excluded.status, verified = excluded.verified,
                                failure_reason = excluded.failure_reason, edits = excluded.edits, prompt_tokens = excluded.prompt_tokens,
                                completion_tokens = excluded.completion_tokens, model_calls = excluded.model_calls, repairs = excluded.repairs,
                                latency_ms = excluded.latency_ms, worker = excluded.worker, prompt_version = excluded.prompt_version,
                                verification = excluded.verification, attempts = analyses.attempts + 1, finished_at = now()""";

    private static Update bindResult(Update update, PatchResult r) {
        return update.bind("patchId", r.patchId())
                .bind("runId", r.runId())
                .bind("trajectoryId", r.trajectoryId())
                .bind("analyst", r.analyst().name())
                .bind("status", r.status().name())
                .bind("verified", r.verified())
                .bind("failureReason", r.failureReason())
                .bind("edits", r.patch() == null ? 0 : r.patch().edits().size())
                .bind("prompt", r.usage() == null ? 0L : r.usage().promptTokens())
                .bind("completion", r.usage() == null ? 0L : r.usage().completionTokens())
                .bind("modelCalls", r.modelCalls())
                .bind("repairs", r.repairs())
                .bind("latency", r.latencyMillis())
                .bind("worker", r.worker())
                .bind("promptVersion", r.promptVersion())
                .bind("verification", r.verification());
    }

    /**
     * Counts a start of the job (its first, or a redelivery after a worker stopped before its result was published)
     * and returns how many starts it has had; 0 when the database cannot say (the job then runs).
     */
    public int started(String patchId, String runId, String worker) {
        try {
            return jdbi.withHandle(h -> h.createQuery("""
                            INSERT INTO job_attempts (patch_id, run_id, attempts, last_worker) VALUES (:patchId, :runId, 1, :worker)
                            ON CONFLICT (patch_id) DO UPDATE SET attempts = job_attempts.attempts + 1, last_worker = excluded.last_worker,
                                last_started_at = now()
                            RETURNING attempts""")
                    .bind("patchId", patchId).bind("runId", runId).bind("worker", worker)
                    .mapTo(Integer.class).one());
        } catch (RuntimeException e) {
            LOG.warnf("cannot count the start of %s: %s", patchId, e.getMessage());
            return 0;
        }
    }

    /** The job's result is on Kafka: its starts are forgotten. */
    public void finished(String patchId) {
        try {
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM job_attempts WHERE patch_id = :patchId").bind("patchId", patchId).execute());
        } catch (RuntimeException e) {
            LOG.warnf("cannot clear the starts of %s: %s", patchId, e.getMessage());
        }
    }

    public Optional<Entry> get(String patchId) {
        return query(SELECT + " WHERE patch_id = :patchId", q -> q.bind("patchId", patchId)).stream().findFirst();
    }

    /** A run's analyses, optionally only one status, by patch id. */
    public List<Entry> ofRun(String runId, String status, int limit) {
        return status == null
                ? query(SELECT + " WHERE run_id = :runId ORDER BY patch_id LIMIT :limit", q -> q.bind("runId", runId).bind("limit", limit))
                : query(SELECT + " WHERE run_id = :runId AND status = :status ORDER BY patch_id LIMIT :limit",
                q -> q.bind("runId", runId).bind("status", status).bind("limit", limit));
    }

    private static final String SELECT = """
            SELECT patch_id, run_id, trajectory_id, analyst, status, verified, failure_reason, edits, prompt_tokens, completion_tokens,
                   model_calls, repairs, latency_ms, worker, attempts, finished_at, prompt_version, verification FROM analyses""";

    private List<Entry> query(String sql, java.util.function.Consumer<Query> binds) {
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql);
            binds.accept(q);
            return q.map(ConstructorMapper.of(Row.class)).map(Row::entry).list();
        });
    }
}
