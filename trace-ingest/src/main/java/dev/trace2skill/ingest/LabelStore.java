package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.Labels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** Label sets (correctness labels from a results file), stored once by content: the same labels give the same id. */
@ApplicationScoped
public class LabelStore {
    @Inject
    Jdbi jdbi;

    /**
     * @param id        {@code labels-<16 hex digits>} of the labels' content
     * @param entries   labelled keys
     * @param successes keys labelled correct
     */
    public record Summary(String id, int entries, int successes) {
    }

    public Summary save(Labels labels) {
        String body = labels.toJson();
        String id = "labels-" + sha256(body).substring(0, 16);
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO label_sets (id, entries, successes, body) VALUES (:id, :entries, :successes, :body)
                        ON CONFLICT (id) DO NOTHING""")
                .bind("id", id).bind("entries", labels.size()).bind("successes", (int) labels.successes()).bind("body", body)
                .execute());
        return new Summary(id, labels.size(), (int) labels.successes());
    }

    public Optional<Summary> summary(String id) {
        return row(id).map(Row::summary);
    }

    public Optional<Labels> labels(String id) {
        return row(id).map(r -> Labels.fromJson(r.body()));
    }

    /** A row of {@code label_sets}. */
    public record Row(String id, int entries, int successes, String body) {
        Summary summary() {
            return new Summary(id, entries, successes);
        }
    }

    private Optional<Row> row(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, entries, successes, body FROM label_sets WHERE id = :id").bind("id", id)
                .map(ConstructorMapper.of(Row.class)).findOne());
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
