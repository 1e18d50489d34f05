package dev.trace2skill.ingest;

import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.ImportRecord;
import dev.trace2skill.core.importers.TrajectoryImporter;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.trajectory.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams an upload through an importer into the store in batches of {@value #BATCH}, so a file of any length is
 * never held whole: only the current batch and the list of rejections (capped) stay in memory.
 */
@ApplicationScoped
public class Ingestion {
    static final int BATCH = 500;
    static final int MAX_LISTED_REJECTIONS = 1_000;

    @Inject
    TrajectoryStore store;
    @Inject
    IngestMetrics metrics;

    public IngestReport ingest(InputStream body, boolean ndjson, String format, String dataset, ImportOptions options) {
        TrajectoryImporter importer = TrajectoryImporters.byFormat(format);
        State state = new State(dataset, format);
        try {
            TrajectoryImporters.read(body, ndjson, importer, options, record -> {
                state.received++;
                state.bytes += Math.max(0, record.bytes());
                if (record.ok()) {
                    state.pending.add(record);
                    if (state.pending.size() >= BATCH) {
                        flush(state);
                    }
                } else {
                    reject(state, record, record.tooLarge() ? 413 : 422, record.errors(), record.tooLarge() ? "too_large" : "invalid");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload: " + e.getMessage(), e);
        }
        flush(state);
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
        List<TrajectoryStore.Result> results = store.store(state.dataset, state.format, batch);
        for (int i = 0; i < results.size(); i++) {
            ImportRecord r = state.pending.get(i);
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
        int received;
        int accepted;
        int duplicates;
        int rejectedCount;
        long bytes;

        State(String dataset, String format) {
            this.dataset = dataset;
            this.format = format;
        }
    }
}
