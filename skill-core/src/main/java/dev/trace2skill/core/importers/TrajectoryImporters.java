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
                new OtlpJsonImporter(), new SweAgentImporter(), new AnthropicMessagesImporter(), new OpenAiResponsesImporter())) {
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

    /** How an upload's records are laid out. */
    public enum Shape {
        /** a JSON array, an object keyed by id, one record, or records one after another */
        JSON,
        /** one JSON record per line */
        NDJSON,
        /** a plain-text log split at its question boundaries (format {@code react} only) */
        TEXT
    }

    /** The formats that read {@link Shape#TEXT} uploads. */
    public static boolean readsText(String format) {
        return ReactImporter.FORMAT.equals(format);
    }

    /**
     * @param ndjson one record per line, rather than JSON
     */
    public static void read(InputStream in, boolean ndjson, TrajectoryImporter importer, ImportOptions options,
                            Consumer<ImportRecord> sink) throws IOException {
        read(in, ndjson ? Shape.NDJSON : Shape.JSON, importer, options, sink);
    }

    /**
     * Streams an upload through an importer. Every accepted trajectory has passed {@link TrajectoryRules} and is within
     * the options' {@link dev.trace2skill.core.trajectory.TrajectoryLimits} (a record over them is rejected as too
     * large); every rejected record names its index, key and fields.
     */
    public static void read(InputStream in, Shape shape, TrajectoryImporter importer, ImportOptions options,
                            Consumer<ImportRecord> sink) throws IOException {
        if (shape == Shape.TEXT && !readsText(importer.format())) {
            throw new IllegalArgumentException("plain-text uploads are read by format=react only, not " + importer.format());
        }
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
                    List<FieldError> oversized = options.limits().check(r.trajectory());
                    if (!oversized.isEmpty()) {
                        sink.accept(new ImportRecord(r.index(), r.sourceKey(), null, oversized, r.bytes(), true));
                        continue;
                    }
                    List<FieldError> broken = TrajectoryRules.check(r.trajectory());
                    sink.accept(broken.isEmpty() ? r : ImportRecord.rejected(r.index(), r.sourceKey(), broken, r.bytes()));
                } else {
                    sink.accept(r);
                }
            }
        };
        switch (shape) {
            case NDJSON -> RecordSource.ndjson(in, options.maxRecordBytes(), options.limits().maxTokens(), mapper);
            case TEXT -> TextLogSource.read(in, options.maxRecordBytes(), mapper);
            default -> RecordSource.json(in, importer.recordFields(), options.maxRecordBytes(), options.limits().maxTokens(), mapper);
        }
    }

    /** Reads a whole upload into a list (tests and small uploads). */
    public static List<ImportRecord> readAll(InputStream in, boolean ndjson, String format, ImportOptions options) throws IOException {
        return readAll(in, ndjson ? Shape.NDJSON : Shape.JSON, format, options);
    }

    public static List<ImportRecord> readAll(InputStream in, Shape shape, String format, ImportOptions options) throws IOException {
        List<ImportRecord> out = new ArrayList<>();
        read(in, shape, byFormat(format), options, out::add);
        return out;
    }
}
