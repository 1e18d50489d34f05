package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.Trajectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Trajectories in PostgreSQL, idempotent by id: the same content again is a duplicate, other content a conflict. */
@ApplicationScoped
public class TrajectoryStore {
    public enum Result { ACCEPTED, DUPLICATE, CONFLICT }

    @Inject
    Jdbi jdbi;

    /** A trajectory to store, with its size in the upload. */
    public record Incoming(Trajectory trajectory, long bytes) {
    }

    /**
     * Stores a batch in one statement and says, per trajectory (in order), whether it was new, a duplicate of what is
     * stored, or conflicts with a different trajectory stored under the same id (also within the batch itself).
     */
    public List<Result> store(String dataset, String format, List<Incoming> batch) {
        List<Result> results = new ArrayList<>(batch.size());
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        List<Incoming> unique = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Trajectory t = batch.get(i).trajectory();
            String hash = Json.contentHash(t);
            results.add(null);
            String seen = hashes.putIfAbsent(t.id(), hash);
            if (seen == null) {
                firstIndex.put(t.id(), i);
                unique.add(batch.get(i));
            } else {
                results.set(i, seen.equals(hash) ? Result.DUPLICATE : Result.CONFLICT);
            }
        }
        if (unique.isEmpty()) {
            return results;
        }
        int n = unique.size();
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = unique.get(i).trajectory().id();
        }
        Set<String> inserted = new HashSet<>();
        Map<String, String> existing = new HashMap<>();
        jdbi.useHandle(h -> {
            // one multi-row INSERT with a parameter per value: bodies travel as plain text parameters (no text[] literal
            // to escape here and parse on the server, which cost more than the insert itself for bodies of ~10 KB)
            Query insert = h.createQuery(insertSql(n));
            int p = 0;
            for (Incoming in : unique) {
                Trajectory t = in.trajectory();
                insert.bind(p++, t.id())
                        .bind(p++, dataset)
                        .bind(p++, hashes.get(t.id()))
                        .bind(p++, t.successful())
                        .bind(p++, t.outcome().reward())
                        .bind(p++, t.taskId())
                        .bind(p++, t.model())
                        .bind(p++, format)
                        .bind(p++, (int) Math.min(Integer.MAX_VALUE, in.bytes()))
                        .bind(p++, Json.write(t))
                        .bind(p++, t.skillRef())
                        .bind(p++, experimentOf(t));
            }
            inserted.addAll(insert.mapTo(String.class).set());
            if (inserted.size() < n) {
                h.createQuery("SELECT id, content_hash FROM trajectories WHERE id = ANY(:ids)")
                        .bind("ids", ids)
                        .map(ConstructorMapper.of(StoredHash.class))
                        .forEach(s -> existing.put(s.id(), s.contentHash()));
            }
        });
        for (Incoming in : unique) {
            String id = in.trajectory().id();
            int i = firstIndex.get(id);
            if (inserted.contains(id)) {
                results.set(i, Result.ACCEPTED);
            } else {
                results.set(i, hashes.get(id).equals(existing.get(id)) ? Result.DUPLICATE : Result.CONFLICT);
            }
        }
        return results;
    }

    public record StoredHash(String id, String contentHash) {
    }

    /** The experiment a trajectory came from ({@code metadata.experimentId}, set by the evaluator's experiments), or null. */
    static String experimentOf(Trajectory t) {
        return t.metadata().get(EXPERIMENT_KEY) instanceof String s && !s.isBlank() ? s : null;
    }

    public static final String EXPERIMENT_KEY = "experimentId";

    /** {@code INSERT ... VALUES (...), ... ON CONFLICT (id) DO NOTHING RETURNING id} for {@code rows} rows of 12 values. */
    static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(140 + rows * 28).append(
                "INSERT INTO trajectories (id, dataset, content_hash, success, reward, task_id, model, format, bytes, body, skill_ref, experiment_id) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?,?,?)");
        }
        return sql.append(" ON CONFLICT (id) DO NOTHING RETURNING id").toString();
    }

    public Optional<String> body(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT body FROM trajectories WHERE id = :id").bind("id", id)
                .mapTo(String.class).findOne());
    }

    /** One row of a listing. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Summary(String id, String dataset, boolean success, Double reward, String taskId, String model,
                          String format, int bytes, String skillRef, String experimentId, String createdAt) {
    }

    /** How a selection names trajectories whose agent ran without a skill. */
    public static final String NO_SKILL = "none";

    /**
     * Which trajectories: every given field must match (null: any).
     *
     * @param outcome    "success" or "failure"
     * @param ids        these ids
     * @param experiment the experiment that produced them ({@code metadata.experimentId})
     * @param skillRef   the skill the agent ran with ({@code name@version}); {@link #NO_SKILL} for runs without one
     */
    public record Filter(String dataset, String outcome, List<String> ids, String experiment, String skillRef) {
        public static Filter of(String dataset, String outcome) {
            return new Filter(dataset, outcome, null, null, null);
        }

        void where(StringBuilder sql) {
            if (ids != null && !ids.isEmpty()) {
                sql.append(" AND id = ANY(:ids)");
            }
            if (dataset != null) {
                sql.append(" AND dataset = :dataset");
            }
            if (outcome != null) {
                sql.append(" AND success = :success");
            }
            if (experiment != null) {
                sql.append(" AND experiment_id = :experiment");
            }
            if (NO_SKILL.equals(skillRef)) {
                sql.append(" AND skill_ref IS NULL");
            } else if (skillRef != null) {
                sql.append(" AND skill_ref = :skillRef");
            }
        }

        void bind(Query q) {
            if (ids != null && !ids.isEmpty()) {
                q.bind("ids", ids.toArray(String[]::new));
            }
            if (dataset != null) {
                q.bind("dataset", dataset);
            }
            if (outcome != null) {
                q.bind("success", outcome.equals("success"));
            }
            if (experiment != null) {
                q.bind("experiment", experiment);
            }
            if (skillRef != null && !NO_SKILL.equals(skillRef)) {
                q.bind("skillRef", skillRef);
            }
        }
    }

    public record Page(List<Summary> items, String nextCursor) {
    }

    /**
     * @param outcome null, "success" or "failure"
     * @param cursor  opaque cursor from a previous page, or null
     */
    public Page list(Filter filter, int limit, String cursor) {
        long after = decodeCursor(cursor);
        StringBuilder sql = new StringBuilder("SELECT seq, id, dataset, success, reward, task_id, model, format, bytes, skill_ref, "
                + "experiment_id, created_at FROM trajectories WHERE seq > :after");
        filter.where(sql);
        sql.append(" ORDER BY seq LIMIT :limit");
        List<Listed> rows = jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("after", after).bind("limit", limit + 1);
            filter.bind(q);
            return q.map(ConstructorMapper.of(Listed.class)).list();
        });
        List<Summary> items = rows.stream().limit(limit).map(Listed::summary).toList();
        return new Page(items, rows.size() > limit ? encodeCursor(rows.get(limit - 1).seq()) : null);
    }

    /** A listed row as the table has it. */
    public record Listed(long seq, String id, String dataset, boolean success, Double reward, String taskId, String model,
                          String format, int bytes, String skillRef, String experimentId, Instant createdAt) {
        Summary summary() {
            return new Summary(id, dataset, success, reward, taskId, model, format, bytes, skillRef, experimentId, createdAt.toString());
        }
    }

    /**
     * A trajectory a run selects, without its body: its id, outcome and the size of its stored JSON.
     *
     * @param bodyBytes bytes of the stored JSON body (read from the value's header, not by reading the body)
     */
    public record Candidate(String id, boolean success, long bodyBytes) {
    }

    /**
     * The trajectories a run selects — those the filter selects (ids, dataset, outcome, experiment, skill reference) —
     * oldest first, at most {@code limit}: ids,
     * outcomes and sizes only, never the bodies (a run of 100,000 trajectories holds 100,000 small rows here; the
     * bodies are streamed one at a time when the jobs are published, see {@link #forRun}).
     */
    public List<Candidate> candidates(Filter filter, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, success, octet_length(body) AS body_bytes FROM trajectories WHERE true");
        filter.where(sql);
        sql.append(" ORDER BY seq LIMIT :limit");
        return jdbi.inTransaction(h -> {
            Query q = h.createQuery(sql.toString()).bind("limit", limit).setFetchSize(2_000);
            filter.bind(q);
            return q.map(ConstructorMapper.of(Candidate.class)).list();
        });
    }

    /** The queries of these trajectories (a Creation-mode draft's examples of the tasks). */
    public List<String> queries(List<String> ids) {
        return jdbi.withHandle(h -> h.createQuery("SELECT body::jsonb ->> 'query' FROM trajectories WHERE id = ANY(:ids) ORDER BY seq")
                .bind("ids", ids.toArray(String[]::new)).mapTo(String.class).list());
    }

    /**
     * A run's trajectory as its job is published: the body when it is at most the inline size, else null (the job
     * then refers to it by id).
     */
    public record RunTrajectory(String id, String analyst, boolean success, long bodyBytes, String body) {
    }

    /**
     * Streams a run's trajectories one at a time, with a cursor ({@code fetchSize} rows per round trip): bodies up to
     * {@code inlineBytes} are read, larger ones are not. Memory stays at one round trip of rows whatever the size of the
     * run. Error analyses come first, then the rest, each in stored order: an error analysis is a loop of several model
     * calls and a success analysis one, and workers take their partitions' jobs in order, so the long jobs start first
     * and the run does not end waiting on a few of them started last (PipelineBench: four sequential calls each).
     */
    public void forRun(String runId, long inlineBytes, java.util.function.Consumer<RunTrajectory> each) {
        jdbi.useTransaction(h -> h.createQuery("""
                        SELECT t.id, j.analyst, t.success, octet_length(t.body) AS body_bytes,
                               CASE WHEN octet_length(t.body) <= :inline THEN t.body END AS body
                        FROM run_jobs j JOIN trajectories t ON t.id = j.trajectory_id
                        WHERE j.run_id = :run ORDER BY CASE WHEN j.analyst = 'error' THEN 0 ELSE 1 END, t.seq""")
                .bind("run", runId).bind("inline", inlineBytes)
                .setFetchSize(16)
                .map(ConstructorMapper.of(RunTrajectory.class))
                .useStream(rows -> rows.forEach(each)));
    }

    static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s:" + seq).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
            if (!s.startsWith("s:")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(s.substring(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cursor");
        }
    }
}
