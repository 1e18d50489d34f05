package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.TrajectoryRules;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The importers by format name, and the loop that streams an upload through one. */
public final class TrajectoryImporters {
    private static final Map<String, TrajectoryImporter> BY_FORMAT = new LinkedHashMap<>();

    static {
        for (TrajectoryImporter i : List.of(new NativeImporter(), new OpenAiMessagesImporter(), new ReactImporter(),
                new OtlpJsonImporter(), new SweAgentImporter())) {
            BY_FORMAT.put(i.format(), i);
        }
    }

    private TrajectoryImporters() {
    }

    public static List<String> formats() {
        return List.copyOf(BY_FORMAT.keySet());
    }

    public static TrajectoryImporter byFormat(String format) {
        TrajectoryImporter i = format == null ? null : BY_FORMAT.get(format);
        if (i == null) {
            throw new IllegalArgumentException("unknown format '" + format + "'; known formats: " + String.join(", ", formats()));
        }
        return i;
    }

    /**
     * Streams an upload through an importer. Every accepted trajectory has passed {@link TrajectoryRules}; every
     * rejected record names its index, key and fields.
     *
     * @param ndjson one record per line, rather than JSON
     */
    public static void read(InputStream in, boolean ndjson, TrajectoryImporter importer, ImportOptions options,
                            Consumer<ImportRecord> sink) throws IOException {
        Consumer<RawRecord> mapper = raw -> {
            if (raw.problem() != null) {
                sink.accept(new ImportRecord(raw.index(), raw.key(), null, List.of(new FieldError("(record)", raw.problem())),
                        raw.bytes(), raw.tooLarge()));
                return;
            }
            List<ImportRecord> mapped;
            try {
                mapped = importer.map(raw, options);
            } catch (RuntimeException e) {
                mapped = List.of(ImportRecord.rejected(raw.index(), raw.key(),
                        List.of(new FieldError("(record)", "cannot map the record: " + e.getMessage())), raw.bytes()));
            }
            for (ImportRecord r : mapped) {
                if (r.ok()) {
                    List<FieldError> broken = TrajectoryRules.check(r.trajectory());
                    sink.accept(broken.isEmpty() ? r : ImportRecord.rejected(r.index(), r.sourceKey(), broken, r.bytes()));
                } else {
                    sink.accept(r);
                }
            }
        };
        if (ndjson) {
            RecordSource.ndjson(in, options.maxRecordBytes(), mapper);
        } else {
            RecordSource.json(in, importer.recordFields(), options.maxRecordBytes(), mapper);
        }
    }

    /** Reads a whole upload into a list (tests and small uploads). */
    public static List<ImportRecord> readAll(InputStream in, boolean ndjson, String format, ImportOptions options) throws IOException {
        List<ImportRecord> out = new ArrayList<>();
        read(in, ndjson, byFormat(format), options, out::add);
        return out;
    }
}
