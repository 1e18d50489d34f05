package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

import java.time.Instant;
import java.util.Optional;

/** Drafts of new skills asked for on their own ({@code POST /v1/skills/{name}/drafts}), in PostgreSQL. */
@ApplicationScoped
public class DraftStore {
    public static final String DRAFTING = "drafting";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    @Inject
    Jdbi jdbi;

    /**
     * A draft as {@code GET /v1/skills/{name}/drafts/{id}} shows it.
     *
     * @param skill   {@code name@version} once registered
     * @param version the registry version the draft became
     * @param tokens  what drafting spent
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Draft(String id, String name, String status, String domain, String engine, String model, String skill, Integer version,
                        String failure, Tokens tokens, String requestId, String createdAt, String updatedAt) {
    }

    public record Tokens(long prompt, long completion, long total) {
    }

    /** A row of {@code skill_drafts}. */
    public record Row(String id, String skillName, String requestId, String status, String domain, String engine, String model,
                      Integer version, String failure, long promptTokens, long completionTokens, Instant createdAt, Instant updatedAt) {
        Draft draft() {
            return new Draft(id, skillName, status, domain, engine, model, version == null ? null : skillName + "@" + version, version,
                    failure, new Tokens(promptTokens, completionTokens, promptTokens + completionTokens), requestId, createdAt.toString(),
                    updatedAt.toString());
        }
    }

    /** Records a new draft; false when its request id is already taken (by a draft sent at the same moment). */
    public boolean create(String id, String name, String requestId, String domain, String engine, String model) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO skill_drafts (id, skill_name, request_id, status, domain, engine, model)
                        VALUES (:id, :name, :requestId, :status, :domain, :engine, :model) ON CONFLICT DO NOTHING""")
                .bind("id", id).bind("name", name).bind("requestId", requestId).bind("status", DRAFTING).bind("domain", domain)
                .bind("engine", engine).bind("model", model)
                .execute()) == 1;
    }

    public Optional<Draft> get(String id) {
        return one(SELECT + " WHERE id = :v", id);
    }

    public Optional<Draft> byRequestId(String requestId) {
        return one(SELECT + " WHERE request_id = :v", requestId);
    }

    /** The first outcome of a draft counts; a redelivered one changes nothing. */
    public boolean done(String id, int version, TokenUsage usage) {
        return finish(id, DONE, version, null, usage);
    }

    public boolean failed(String id, String failure, TokenUsage usage) {
        return finish(id, FAILED, null, failure, usage);
    }

    private boolean finish(String id, String status, Integer version, String failure, TokenUsage usage) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE skill_drafts SET status = :status, version = :version, failure = :failure, prompt_tokens = :prompt,
                               completion_tokens = :completion, updated_at = now()
                        WHERE id = :id AND status = :drafting""")
                .bind("status", status).bind("version", version).bind("failure", failure)
                .bind("prompt", usage == null ? 0L : usage.promptTokens()).bind("completion", usage == null ? 0L : usage.completionTokens())
                .bind("id", id).bind("drafting", DRAFTING)
                .execute()) == 1;
    }

    private static final String SELECT = """
            SELECT id, skill_name, request_id, status, domain, engine, model, version, failure, prompt_tokens, completion_tokens,
                   created_at, updated_at FROM skill_drafts""";

    private Optional<Draft> one(String sql, String value) {
        return jdbi.withHandle(h -> h.createQuery(sql).bind("v", value).map(ConstructorMapper.of(Row.class)).findOne().map(Row::draft));
    }
}
