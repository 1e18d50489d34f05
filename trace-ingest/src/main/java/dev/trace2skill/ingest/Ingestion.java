package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.ImportRecord;
import dev.trace2skill.core.importers.TrajectoryImporter;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.trajectory.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams an upload through an importer into the store in batches of at most {@value #BATCH} trajectories or
 * {@code t2s.ingest.batch-bytes} of source records, whichever comes first, so a file of any length is never held
 * whole: only one record's bytes (up to the record limit), the current batch and the list of rejections (capped) stay
 * in memory.
 */
@ApplicationScoped
public class Ingestion {
    static final int BATCH = 500;
    static final int MAX_LISTED_REJECTIONS = 1_000;

    @Inject
    TrajectoryStore store;
    @Inject
    IngestMetrics metrics;

    @ConfigProperty(name = "t2s.ingest.batch-bytes", defaultValue = "8388608")
    long batchBytes;

    /** Counts so far, after every stored batch: what a long import reports while it runs. */
    public interface Progress {
        Progress NONE = counts -> {
        };

        void update(Counts counts);
    }

    /** @param bytes bytes of source records read so far */
    public record Counts(int received, int accepted, int duplicates, int rejected, long bytes) {
    }

    public IngestReport ingest(InputStream body, boolean ndjson, String format, String dataset, ImportOptions options) {
        return ingest(body, ndjson ? TrajectoryImporters.Shape.NDJSON : TrajectoryImporters.Shape.JSON, format, dataset, options, Progress.NONE);
    }

    public IngestReport ingest(InputStream body, TrajectoryImporters.Shape shape, String format, String dataset, ImportOptions options,
                               Progress progress) {
        TrajectoryImporter importer = TrajectoryImporters.byFormat(format);
        State state = new State(dataset, format);
        try {
            TrajectoryImporters.read(body, shape, importer, options, record -> {
                state.received++;
                state.bytes += Math.max(0, record.bytes());
                if (record.ok()) {
                    state.pending.add(record);
                    state.pendingBytes += Math.max(0, record.bytes());
                    if (state.pending.size() >= BATCH || state.pendingBytes >= batchBytes) {
                        flush(state);
                        progress.update(state.counts());
                    }
                } else {
                    reject(state, record, record.tooLarge() ? 413 : 422, record.errors(), record.tooLarge() ? "too_large" : "invalid");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload: " + e.getMessage(), e);
        }
        flush(state);
        progress.update(state.counts());
        metrics.bytes(format, state.bytes);
        return new IngestReport(dataset, format, state.received, state.accepted, state.duplicates, state.rejected,
                state.rejectedCount, state.bytes, IngestReport.POLICY);
    }

    private void flush(State state) {
        if (state.pending.isEmpty()) {
            return;
        }
        List<TrajectoryStore.Incoming> batch = state.pending.stream()
                .map(r -> new TrajectoryStore.Incoming(r.trajectory(), r.bytes())).toList();
        List<TrajectoryStore.Result> results;
        try {
            results = store.store(state.dataset, state.format, batch);
        } catch (RuntimeException e) {
            if (dataError(e) == null || batch.size() == 1) {
                throw e;
            }
            results = oneByOne(state, batch);
        }
        for (int i = 0; i < results.size(); i++) {
            ImportRecord r = state.pending.get(i);
            if (results.get(i) == null) {
                continue;
            }
            switch (results.get(i)) {
                case ACCEPTED -> {
                    state.accepted++;
                    metrics.trajectory(state.format, "accepted", null);
                }
                case DUPLICATE -> {
                    state.duplicates++;
                    metrics.trajectory(state.format, "duplicate", null);
                }
                case CONFLICT -> reject(state, r, 409, List.of(new FieldError("id", "trajectory " + r.trajectory().id()
                        + " is already stored with different content")), "conflict");
            }
        }
        state.pending.clear();
        state.pendingBytes = 0;
    }

    /**
     * A batch the database refused for the data of one of its records (a value it cannot store): each record is stored
     * on its own, so the bad one is rejected (422, with the database's reason) and every valid one around it is kept.
     * A failure that is not about the data (the database is down) is not hidden: it fails the upload as before.
     */
    private List<TrajectoryStore.Result> oneByOne(State state, List<TrajectoryStore.Incoming> batch) {
        List<TrajectoryStore.Result> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            try {
                results.add(store.store(state.dataset, state.format, List.of(batch.get(i))).get(0));
            } catch (RuntimeException e) {
                String why = dataError(e);
                if (why == null) {
                    throw e;
                }
                results.add(null);
                reject(state, state.pending.get(i), 422, List.of(new FieldError("(record)", "could not be stored: " + why)), "invalid");
            }
        }
        return results;
    }

    /** The database's reason when {@code e} is a data error (SQLSTATE class 22: a value it cannot take), else null. */
    static String dataError(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                String m = sql.getMessage() == null ? sql.getSQLState() : sql.getMessage().lines().findFirst().orElse("");
                return m.length() > 300 ? m.substring(0, 300) + "…" : m;
            }
        }
        return null;
    }

    private void reject(State state, ImportRecord r, int status, List<FieldError> errors, String reason) {
        state.rejectedCount++;
        metrics.trajectory(state.format, "rejected", reason);
        if (state.rejected.size() < MAX_LISTED_REJECTIONS) {
            state.rejected.add(new IngestReport.Rejection(r.index(), r.trajectory() == null ? null : r.trajectory().id(),
                    r.sourceKey(), status, errors));
        }
    }

    private static final class State {
        final String dataset;
        final String format;
        final List<ImportRecord> pending = new ArrayList<>();
        final List<IngestReport.Rejection> rejected = new ArrayList<>();
        long pendingBytes;
        int received;
        int accepted;
        int duplicates;
        int rejectedCount;
        long bytes;

        State(String dataset, String format) {
            this.dataset = dataset;
            this.format = format;
        }

        Counts counts() {
            return new Counts(received, accepted, duplicates, rejectedCount, bytes);
        }
    }
}
