package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Background imports ({@code ?async=true}) in PostgreSQL: status, counts as they grow, the report at the end. */
@ApplicationScoped
public class ImportJobStore {
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    @Inject
    Jdbi jdbi;


    /**
     * An import job as clients see it.
     *
     * @param progress   bytes read / bytes uploaded (0..1)
     * @param report     the import's report once done
     * @param error      why it failed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Job(String id, String status, String dataset, String format, JsonNode options, long bytesTotal, long bytesRead,
                      double progress, int received, int accepted, int duplicates, int rejectedCount, String createdAt,
                      String startedAt, String updatedAt, String finishedAt, IngestReport report, String error) {
    }

    public void create(String id, String dataset, String format, JsonNode options, long bytesTotal) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO import_jobs (id, status, dataset, format, options, bytes_total)
                        VALUES (:id, :status, :dataset, :format, :options::jsonb, :bytesTotal)""")
                .bind("id", id).bind("status", QUEUED).bind("dataset", dataset).bind("format", format)
                .bind("options", Json.write(options)).bind("bytesTotal", bytesTotal)
                .execute());
    }

    /** Marks a queued job running; false when it is no longer queued (e.g. given up as stale). */
    public boolean start(String id) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE import_jobs SET status = :running, started_at = now(), updated_at = now() WHERE id = :id AND status = :queued""")
                .bind("running", RUNNING).bind("id", id).bind("queued", QUEUED)
                .execute()) == 1;
    }

    public void progress(String id, long bytesRead, Ingestion.Counts c) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE import_jobs SET bytes_read = :bytesRead, received = :received, accepted = :accepted, duplicates = :duplicates,
                               rejected_count = :rejected, updated_at = now()
                        WHERE id = :id AND status = :running""")
                .bind("bytesRead", bytesRead).bind("received", c.received()).bind("accepted", c.accepted())
                .bind("duplicates", c.duplicates()).bind("rejected", c.rejected()).bind("id", id).bind("running", RUNNING)
                .execute());
    }

    public void done(String id, long bytesRead, IngestReport r) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE import_jobs SET status = :done, bytes_read = :bytesRead, received = :received, accepted = :accepted,
                               duplicates = :duplicates, rejected_count = :rejected, report = :report, updated_at = now(), finished_at = now()
                        WHERE id = :id""")
                .bind("done", DONE).bind("bytesRead", bytesRead).bind("received", r.received()).bind("accepted", r.accepted())
                .bind("duplicates", r.duplicates()).bind("rejected", r.rejectedCount()).bind("report", Json.write(r)).bind("id", id)
                .execute());
    }

    public void failed(String id, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE import_jobs SET status = :failed, error = :error, updated_at = now(), finished_at = now()
                        WHERE id = :id AND status IN (:queued, :running)""")
                .bind("failed", FAILED).bind("error", error).bind("id", id).bind("queued", QUEUED).bind("running", RUNNING)
                .execute());
    }

    /**
     * Fails a job that stopped reporting: queued or running, not in this instance's hands, and not updated for
     * {@code staleSeconds} (its instance died or restarted).
     */
    public void failIfStale(String id, long staleSeconds) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE import_jobs SET status = :failed, error = :error, updated_at = now(), finished_at = now()
                        WHERE id = :id AND status IN (:queued, :running) AND updated_at < now() - make_interval(secs => :stale)""")
                .bind("failed", FAILED)
                .bind("error", "the import stopped reporting progress (its trace-ingest instance stopped?); upload again: what was stored"
                        + " stays, and a re-upload counts it as duplicates")
                .bind("id", id).bind("queued", QUEUED).bind("running", RUNNING).bind("stale", (double) staleSeconds)
                .execute());
    }

    public Optional<Job> get(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_JOB + " WHERE id = :id").bind("id", id)
                .map(ConstructorMapper.of(Row.class)).map(Row::job).findOne());
    }

    public List<Job> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_JOB + " ORDER BY created_at DESC LIMIT :limit").bind("limit", limit)
                .map(ConstructorMapper.of(Row.class)).map(Row::job).list());
    }

    private static final String SELECT_JOB = """
            SELECT id, status, dataset, format, options, bytes_total, bytes_read, received, accepted, duplicates, rejected_count,
                   created_at, started_at, updated_at, finished_at, report, error
            FROM import_jobs""";

    /** A row of {@code import_jobs}, its JSON columns as text. */
    public record Row(String id, String status, String dataset, String format, String options, long bytesTotal, long bytesRead,
                      int received, int accepted, int duplicates, int rejectedCount, Instant createdAt, Instant startedAt,
                      Instant updatedAt, Instant finishedAt, String report, String error) {
        Job job() {
            double progress = DONE.equals(status) ? 1.0 : bytesTotal <= 0 ? 0.0 : Math.min(1.0, (double) bytesRead / bytesTotal);
            return new Job(id, status, dataset, format, tree(options), bytesTotal, bytesRead,
                    Math.round(progress * 1000) / 1000.0, received, accepted, duplicates, rejectedCount, time(createdAt),
                    time(startedAt), time(updatedAt), time(finishedAt), report == null ? null : Json.read(report, IngestReport.class), error);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("import_jobs.options is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
