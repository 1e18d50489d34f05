package dev.trace2skill.ingest;

import dev.trace2skill.core.skill.SkillBundle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The skill registry: immutable versions numbered 1, 2, … per name, content-addressed (a known hash is not stored twice). */
@ApplicationScoped
public class SkillStore {
    @Inject
    Jdbi jdbi;

    public record Version(String name, int version, String hash, String source, int files, int bytes, String createdAt,
                          boolean created) {
    }

    public record Skill(String name, int latestVersion, int versions, String createdAt) {
    }

    /** Stores the bundle as the next version, or returns the existing version with the same content. */
    public Version register(SkillBundle bundle, String source) {
        String hash = bundle.contentHash();
        int[] created = {0};
        Version stored = jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO skills (name) VALUES (:name) ON CONFLICT DO NOTHING").bind("name", bundle.name()).execute();
            h.createQuery("SELECT name FROM skills WHERE name = :name FOR UPDATE").bind("name", bundle.name()).mapTo(String.class).one();
            Optional<Version> same = versions(h, " WHERE name = :name AND content_hash = :hash", bundle.name(), hash, null).stream().findFirst();
            if (same.isPresent()) {
                return same.get();
            }
            int next = h.createQuery("SELECT coalesce(max(version), 0) + 1 FROM skill_versions WHERE name = :name")
                    .bind("name", bundle.name()).mapTo(Integer.class).one();
            h.createUpdate("""
                            INSERT INTO skill_versions (name, version, content_hash, source, files, bytes)
                            VALUES (:name, :version, :hash, :source, :files, :bytes)""")
                    .bind("name", bundle.name()).bind("version", next).bind("hash", hash).bind("source", source)
                    .bind("files", bundle.paths().size()).bind("bytes", bundle.totalBytes())
                    .execute();
            PreparedBatch files = h.prepareBatch("INSERT INTO skill_files (name, version, path, content) VALUES (:name, :version, :path, :content)");
            for (String path : bundle.paths()) {
                files.bind("name", bundle.name()).bind("version", next).bind("path", path).bind("content", bundle.bytes(path)).add();
            }
            files.execute();
            created[0] = next;
            return null;
        });
        if (stored != null) {
            return stored;
        }
        Version v = version(bundle.name(), created[0]).orElseThrow();
        return new Version(v.name(), v.version(), v.hash(), v.source(), v.files(), v.bytes(), v.createdAt(), true);
    }

    public List<Skill> list() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.name, max(v.version) AS latest_version, count(v.version) AS versions, s.created_at
                        FROM skills s JOIN skill_versions v ON v.name = s.name GROUP BY s.name, s.created_at ORDER BY s.name""")
                .map(ConstructorMapper.of(SkillRow.class)).map(SkillRow::skill).list());
    }

    public record SkillRow(String name, int latestVersion, int versions, Instant createdAt) {
        Skill skill() {
            return new Skill(name, latestVersion, versions, createdAt.toString());
        }
    }

    public List<Version> versions(String name) {
        return jdbi.withHandle(h -> versions(h, " WHERE name = :name ORDER BY version", name, null, null));
    }

    public Optional<Version> version(String name, int version) {
        return jdbi.withHandle(h -> versions(h, " WHERE name = :name AND version = :version", name, null, version)).stream().findFirst();
    }

    public Optional<Version> latest(String name) {
        List<Version> all = versions(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public Optional<SkillBundle> bundle(String name, int version) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT path, content FROM skill_files WHERE name = :name AND version = :version ORDER BY path")
                .bind("name", name).bind("version", version)
                .map(ConstructorMapper.of(FileRow.class))
                .forEach(f -> files.put(f.path(), f.content())));
        return files.isEmpty() ? Optional.empty() : Optional.of(SkillBundle.ofBytes(name, files));
    }

    public record FileRow(String path, byte[] content) {
    }

    /** A row of {@code skill_versions}. */
    public record VersionRow(String name, int version, String contentHash, String source, int files, int bytes, Instant createdAt) {
        Version toVersion() {
            return new Version(name, version, contentHash, source, files, bytes, createdAt.toString(), false);
        }
    }

    private static List<Version> versions(Handle h, String where, String name, String hash, Integer version) {
        var q = h.createQuery("SELECT name, version, content_hash, source, files, bytes, created_at FROM skill_versions" + where)
                .bind("name", name);
        if (hash != null) {
            q.bind("hash", hash);
        }
        if (version != null) {
            q.bind("version", version);
        }
        return q.map(ConstructorMapper.of(VersionRow.class)).map(VersionRow::toVersion).list();
    }
}
