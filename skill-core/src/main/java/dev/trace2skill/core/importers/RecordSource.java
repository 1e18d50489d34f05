package dev.trace2skill.core.importers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Streams the records of an upload one at a time, never holding the whole upload:
 * <ul>
 *   <li>JSON: a top-level array of records, an object keyed by record id (FireAct), a single record, or several
 *       records one after another;</li>
 *   <li>NDJSON: one record per line; a line longer than the record limit is skipped unread and reported as too large,
 *       and a malformed line is reported without stopping the stream.</li>
 * </ul>
 * In JSON, a syntax error ends the stream (a JSON stream cannot resynchronise) after reporting the record it hit.
 */
public final class RecordSource {
    private RecordSource() {
    }

    /**
     * @param recordFields field names that mark an object as a record rather than a map keyed by record id
     */
    public static void json(InputStream in, Set<String> recordFields, long maxRecordBytes, Consumer<RawRecord> sink) throws IOException {
        JsonFactory factory = Json.mapper().getFactory().copy();
        factory.setStreamReadConstraints(StreamReadConstraints.builder()
                // guards memory only: oversize records are measured and skipped, so the bound sits well above the limit
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, Math.max(20_000_000L, 4 * maxRecordBytes)))
                .maxNestingDepth(200).build());
        int[] index = {0};
        try (JsonParser p = factory.createParser(in)) {
            p.setCodec(Json.mapper());
            JsonToken t;
            while ((t = next(p, index[0], sink)) != null) {
                switch (t) {
                    case START_ARRAY -> {
                        JsonToken e;
                        while ((e = next(p, index[0], sink)) != null && e != JsonToken.END_ARRAY) {
                            if (!emit(p, index[0]++, null, maxRecordBytes, sink)) {
                                return;
                            }
                        }
                    }
                    case START_OBJECT -> {
                        if (!object(p, index, recordFields, maxRecordBytes, sink)) {
                            return;
                        }
                    }
                    default -> {
                        sink.accept(new RawRecord(index[0], null, null, 0, "expected a JSON object or array of records, found " + t, false));
                        return;
                    }
                }
            }
        }
    }

    private static JsonToken next(JsonParser p, int index, Consumer<RawRecord> sink) throws IOException {
        try {
            return p.nextToken();
        } catch (JsonProcessingException e) {
            sink.accept(new RawRecord(index, null, null, 0, "malformed JSON: " + e.getOriginalMessage(), false));
            return null;
        }
    }

    /** An object: either a keyed map of records or a record itself. Returns false when the stream must stop. */
    private static boolean object(JsonParser p, int[] index, Set<String> recordFields, long max, Consumer<RawRecord> sink) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        try {
            JsonToken f = p.nextToken();
            if (f == JsonToken.END_OBJECT) {
                sink.accept(new RawRecord(index[0]++, null, Json.mapper().createObjectNode(), 2, null, false));
                return true;
            }
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT && !recordFields.contains(name)) {
                if (!emit(p, index[0]++, name, max, sink)) {
                    return false;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    if (!emit(p, index[0]++, key, max, sink)) {
                        return false;
                    }
                }
                return true;
            }
            ObjectNode record = Json.mapper().createObjectNode();
            record.set(name, p.readValueAsTree());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                record.set(field, p.readValueAsTree());
            }
            long bytes = p.currentLocation().getByteOffset() - start;
            sink.accept(bytes > max ? tooLarge(index[0]++, null, bytes, max) : new RawRecord(index[0]++, null, record, bytes, null, false));
            return true;
        } catch (JsonProcessingException e) {
            sink.accept(new RawRecord(index[0]++, null, null, 0, "malformed JSON: " + e.getOriginalMessage(), false));
            return false;
        }
    }

    private static boolean emit(JsonParser p, int index, String key, long max, Consumer<RawRecord> sink) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        try {
            JsonNode node = p.readValueAsTree();
            long bytes = p.currentLocation().getByteOffset() - start;
            sink.accept(bytes > max ? tooLarge(index, key, bytes, max) : new RawRecord(index, key, node, bytes, null, false));
            return true;
        } catch (JsonProcessingException e) {
            boolean size = e.getMessage() != null && e.getMessage().contains("exceeds the maximum");
            sink.accept(size ? tooLarge(index, key, -1, max)
                    : new RawRecord(index, key, null, 0, "malformed JSON: " + e.getOriginalMessage(), false));
            return false;
        }
    }

    /** NDJSON: one record per line, each line bounded before it is parsed. */
    public static void ndjson(InputStream in, long maxRecordBytes, Consumer<RawRecord> sink) throws IOException {
        int index = 0;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        boolean overflow = false;
        long lineBytes = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            // copy each run of bytes up to a newline in one call: a per-byte ByteArrayOutputStream.write (synchronized)
            // cost about half of trace-ingest's CPU per trajectory
            int start = 0;
            while (start < n) {
                int nl = start;
                while (nl < n && buf[nl] != '\n') {
                    nl++;
                }
                int len = nl - start;
                lineBytes += len;
                if (!overflow) {
                    if (lineBytes > maxRecordBytes) {
                        overflow = true;
                        line.reset();
                    } else {
                        line.write(buf, start, len);
                    }
                }
                if (nl == n) {
                    break;
                }
                index = line(line, lineBytes, overflow, index, maxRecordBytes, sink);
                line.reset();
                overflow = false;
                lineBytes = 0;
                start = nl + 1;
            }
        }
        if (lineBytes > 0) {
            line(line, lineBytes, overflow, index, maxRecordBytes, sink);
        }
    }

    private static int line(ByteArrayOutputStream line, long bytes, boolean overflow, int index, long max, Consumer<RawRecord> sink) {
        if (overflow) {
            sink.accept(tooLarge(index, null, bytes, max));
            return index + 1;
        }
        byte[] raw = line.toByteArray();
        if (isBlank(raw)) {
            return index;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            sink.accept(new RawRecord(index, null, null, raw.length, "invalid UTF-8", false));
            return index + 1;
        }
        try {
            JsonNode node = Json.mapper().readTree(text);
            if (node == null || !node.isObject()) {
                sink.accept(new RawRecord(index, null, null, raw.length, "each line must be a JSON object", false));
            } else {
                sink.accept(new RawRecord(index, null, node, raw.length, null, false));
            }
        } catch (JsonProcessingException e) {
            sink.accept(new RawRecord(index, null, null, raw.length, "malformed JSON: " + e.getOriginalMessage(), false));
        }
        return index + 1;
    }

    private static boolean isBlank(byte[] raw) {
        for (byte b : raw) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static RawRecord tooLarge(int index, String key, long bytes, long max) {
        return new RawRecord(index, key, null, bytes, "record too large: " + (bytes < 0 ? "more than " + max : bytes)
                + " bytes; the limit is " + max, true);
    }
}
