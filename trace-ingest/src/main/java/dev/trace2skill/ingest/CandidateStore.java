package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillSafety;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Skill candidates in PostgreSQL: flagged S* with the safety findings, pending until approved or rejected. */
@ApplicationScoped
public class CandidateStore {
    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";

    @Inject
    Jdbi jdbi;

    /**
     * A held S*.
     *
     * @param id          {@code cand-<12 hex digits of the content hash>-<run>}
     * @param baseVersion the S0 version the run evolved
     * @param status      pending, approved or rejected
     * @param version     the registry version it became (approved)
     * @param note        why it was rejected, or who approved it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Candidate(String id, String name, String runId, Integer baseVersion, String contentHash, String status,
                            Integer version, String note, List<SkillSafety.Finding> findings, String createdAt, String decidedAt) {
    }

    /** The stored row. */
    public record Row(String id, String name, String runId, Integer baseVersion, String contentHash, String snapshot, String findings,
                      String status, Integer version, String note, Instant createdAt, Instant decidedAt) {
        Candidate candidate() {
            return new Candidate(id, name, runId, baseVersion, contentHash, status, version, note,
                    List.of(Json.read(findings, SkillSafety.Finding[].class)), createdAt.toString(),
                    decidedAt == null ? null : decidedAt.toString());
        }

        SkillSnapshot sStar() {
            return Json.read(snapshot, SkillSnapshot.class);
        }
    }

    /** Holds a run's S*; a redelivered message finds the candidate already held and gets it back. */
    public Candidate hold(String runId, Integer baseVersion, SkillSnapshot sStar, List<SkillSafety.Finding> findings) {
        String id = "cand-" + sStar.hash().substring(0, Math.min(12, sStar.hash().length())) + "-" + Integer.toHexString(runId.hashCode());
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO skill_candidates (id, name, run_id, base_version, content_hash, snapshot, findings, status)
                        VALUES (:id, :name, :run, :base, :hash, :snapshot, :findings::jsonb, :status) ON CONFLICT (run_id) DO NOTHING""")
                .bind("id", id).bind("name", sStar.name()).bind("run", runId).bind("base", baseVersion).bind("hash", sStar.hash())
                .bind("snapshot", Json.write(sStar)).bind("findings", Json.write(findings)).bind("status", PENDING)
                .execute());
        return byRun(runId).orElseThrow().candidate();
    }

    public Optional<Row> byRun(String runId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE run_id = :run").bind("run", runId)
                .map(ConstructorMapper.of(Row.class)).findOne());
    }

    public Optional<Row> get(String name, String id) {
        return jdbi.withHandle(h -> get(h, name, id, false));
    }

    /** The row locked for a decision, in the caller's transaction. */
    Optional<Row> lock(Handle h, String name, String id) {
        return get(h, name, id, true);
    }

    private static Optional<Row> get(Handle h, String name, String id, boolean lock) {
        return h.createQuery(SELECT + " WHERE name = :name AND id = :id" + (lock ? " FOR UPDATE" : "")).bind("name", name).bind("id", id)
                .map(ConstructorMapper.of(Row.class)).findOne();
    }

    public List<Candidate> list(String name, String status, int limit) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE name = :name" + (status == null ? "" : " AND status = :status")
                        + " ORDER BY created_at DESC LIMIT :limit")
                .bind("name", name).bind("status", status).bind("limit", limit)
                .map(ConstructorMapper.of(Row.class)).map(Row::candidate).list());
    }

    void decide(Handle h, String id, String status, Integer version, String note) {
        h.createUpdate("UPDATE skill_candidates SET status = :status, version = :version, note = :note, decided_at = now() WHERE id = :id")
                .bind("status", status).bind("version", version).bind("note", note).bind("id", id).execute();
    }

    private static final String SELECT = """
            SELECT id, name, run_id, base_version, content_hash, snapshot, findings::text AS findings, status, version, note,
                   created_at, decided_at
            FROM skill_candidates""";
}
