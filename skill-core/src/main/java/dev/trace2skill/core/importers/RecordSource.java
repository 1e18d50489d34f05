package dev.trace2skill.core.importers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Streams the records of an upload one at a time, never holding the whole upload, and never more than one record's
 * bytes (up to the record limit) at a time: a record's size is counted while its bytes stream in, so a record over
 * the limit is skipped unread (reported as too large) before anything is built from it, and the stream goes on with
 * the next record.
 * <ul>
 *   <li>JSON: a top-level array of records, an object keyed by record id (FireAct), a single record, or several
 *       records one after another. A byte-level scanner finds each record's end (strings, escapes and brackets),
 *       then Jackson parses just that record: a record with bad JSON inside well-formed brackets is reported and the
 *       stream continues; broken structure (a bracket that does not match, the input ending inside a record) ends
 *       the stream after reporting the record it hit, since JSON cannot resynchronise.</li>
 *   <li>NDJSON: one record per line; a line longer than the record limit is skipped unread and reported as too large,
 *       and a malformed line is reported without stopping the stream.</li>
 * </ul>
 * A record within the byte limit may still be made of millions of tiny values (a 10 MB record of 500,000 steps):
 * the parser counts the record's JSON tokens as it reads them and stops at {@code maxRecordTokens}, so such a record
 * is reported as too large before its tree is built, and memory per record stays bounded whatever its shape.
 */
public final class RecordSource {
    static final int MAX_NESTING = 200;
    /** The scanner gives up (as malformed) on brackets nested deeper than this; Jackson refuses beyond {@link #MAX_NESTING}. */
    static final int SCAN_NESTING = 10_000;

    private RecordSource() {
    }

    /**
     * @param recordFields field names that mark an object as a record rather than a map keyed by record id
     */
    public static void json(InputStream in, Set<String> recordFields, long maxRecordBytes, Consumer<RawRecord> sink) throws IOException {
        json(in, recordFields, maxRecordBytes, Long.MAX_VALUE, sink);
    }

    /** @param maxRecordTokens JSON tokens per record, counted by the parser as it reads */
    public static void json(InputStream in, Set<String> recordFields, long maxRecordBytes, long maxRecordTokens,
                            Consumer<RawRecord> sink) throws IOException {
        new JsonScanner(in, recordFields, maxRecordBytes, maxRecordTokens, sink).run();
    }

    /**
     * A JSON parser factory that bounds nesting, string length (a string cannot be longer than a record) and the
     * tokens of one record.
     */
    static JsonFactory factory(long maxRecordBytes, long maxRecordTokens) {
        JsonFactory factory = Json.mapper().getFactory().copy();
        StreamReadConstraints.Builder constraints = StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 16, Math.max(1_000_000L, maxRecordBytes + 16)))
                .maxNestingDepth(MAX_NESTING);
        if (maxRecordTokens < Long.MAX_VALUE) {
            constraints.maxTokenCount(maxRecordTokens);
        }
        factory.setStreamReadConstraints(constraints.build());
        return factory;
    }

    /** A record's tree, or null after reporting it (malformed, too many tokens, not an object) to the sink. */
    private static JsonNode parse(JsonParser p, int index, String key, long bytes, long maxTokens, String notObject,
                                  Consumer<RawRecord> sink) throws IOException {
        p.setCodec(Json.mapper());
        JsonNode node;
        try {
            node = p.readValueAsTree();
        } catch (StreamConstraintsException e) {
            if (p.currentTokenCount() >= maxTokens) {
                sink.accept(new RawRecord(index, key, null, bytes, "record too large: more than " + maxTokens
                        + " JSON tokens (field names, values, brackets); the limit is " + maxTokens, true));
            } else {
                sink.accept(new RawRecord(index, key, null, bytes, "malformed JSON: " + e.getOriginalMessage(), false));
            }
            return null;
        } catch (JsonProcessingException e) {
            sink.accept(new RawRecord(index, key, null, bytes, "malformed JSON: " + e.getOriginalMessage(), false));
            return null;
        }
        if (node == null || !node.isObject()) {
            sink.accept(new RawRecord(index, key, null, bytes, notObject, false));
            return null;
        }
        return node;
    }

    /** The structural scanner over an upload's bytes. */
    private static final class JsonScanner {
        private final InputStream in;
        private final Set<String> recordFields;
        private final long max;
        private final long maxTokens;
        private final Consumer<RawRecord> sink;
        private final JsonFactory factory;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int len;
        private boolean eof;
        private int index;
        // the record being captured
        private byte[] capture = new byte[8 * 1024];
        private int captured;
        private long recordBytes;
        private boolean capturing;
        private boolean overflow;
        private byte[] stack = new byte[64];

        JsonScanner(InputStream in, Set<String> recordFields, long max, long maxTokens, Consumer<RawRecord> sink) {
            this.in = in;
            this.recordFields = recordFields;
            this.max = max;
            this.maxTokens = maxTokens;
            this.sink = sink;
            this.factory = factory(max, maxTokens);
        }

        /** Thrown when the structure is broken: the stream ends after the record it was found in is reported. */
        private static final class Broken extends Exception {
            Broken(String message) {
                super(message, null, false, false);
            }
        }

        void run() throws IOException {
            while (true) {
                int b = skipWhitespace();
                if (b < 0) {
                    return;
                }
                try {
                    if (b == '[') {
                        next();
                        array();
                    } else if (b == '{') {
                        object();
                    } else {
                        sink.accept(new RawRecord(index, null, null, 0, "expected a JSON object or array of records, found "
                                + describe(b), false));
                        return;
                    }
                } catch (Broken e) {
                    return;
                }
            }
        }

        private void array() throws IOException, Broken {
            int b = skipWhitespace();
            if (b == ']') {
                next();
                return;
            }
            while (true) {
                b = skipWhitespace();
                if (b < 0) {
                    fail(null, "malformed JSON: the input ends inside the array of records");
                }
                record(null);
                b = skipWhitespace();
                if (b == ',') {
                    next();
                } else if (b == ']') {
                    next();
                    return;
                } else {
                    fail(null, "malformed JSON: expected ',' or ']' after record " + (index - 1) + ", found " + describe(b));
                }
            }
        }

        /** A top-level object: a map of records keyed by id, or a record itself. */
        private void object() throws IOException, Broken {
            startCapture();
            take(); // '{'
            pushOpen((byte) '{');
            int b = skipWhitespaceCaptured();
            if (b == '}') {
                take();
                popClose((byte) '}');
                emitCaptured(null);
                return;
            }
            if (b != '"') {
                finishBroken(null, "malformed JSON: expected a field name, found " + describe(b));
            }
            int keyStart = captured;
            scanString();
            String name = decodeKey(keyStart);
            skipWhitespaceCaptured();
            if (peek() != ':') {
                finishBroken(null, "malformed JSON: expected ':' after the field name \"" + name + "\"");
            }
            take();
            int v = skipWhitespaceCaptured();
            if (v == '{' && !recordFields.contains(name)) {
                // keyed map: drop what was captured, each value is a record
                capturing = false;
                depth = 0;
                record(name);
                while (true) {
                    b = skipWhitespace();
                    if (b == '}') {
                        next();
                        return;
                    }
                    if (b != ',') {
                        fail(name, "malformed JSON: expected ',' or '}' after the record \"" + name + "\", found " + describe(b));
                    }
                    next();
                    skipWhitespace();
                    if (peek() != '"') {
                        fail(null, "malformed JSON: expected a record key, found " + describe(peek()));
                    }
                    name = readKey();
                    skipWhitespace();
                    if (peek() != ':') {
                        fail(name, "malformed JSON: expected ':' after the key \"" + name + "\"");
                    }
                    next();
                    skipWhitespace();
                    record(name);
                }
            }
            // the object is a record: scan the rest of it
            scanUntilDepth(0);
            emitCaptured(null);
        }

        /** One value as a record (capturing its bytes up to the limit). */
        private void record(String key) throws IOException, Broken {
            startCapture();
            scanValue();
            emitCaptured(key);
        }

        private void emitCaptured(String key) {
            int i = index++;
            capturing = false;
            if (overflow) {
                sink.accept(tooLarge(i, key, recordBytes, max));
                release();
                return;
            }
            JsonNode node;
            try (JsonParser p = factory.createParser(capture, 0, captured)) {
                node = parse(p, i, key, recordBytes, maxTokens, "each record must be a JSON object", sink);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // the captured bytes are not needed once parsed: let them go before the record is mapped
            release();
            if (node != null) {
                sink.accept(new RawRecord(i, key, node, recordBytes, null, false));
            }
        }

        /** Reports the record cut short by broken structure, then stops the stream. */
        private void finishBroken(String key, String message) throws Broken {
            int i = index++;
            capturing = false;
            String detail = message;
            if (!overflow && captured > 0) {
                try (JsonParser p = factory.createParser(capture, 0, captured)) {
                    p.setCodec(Json.mapper());
                    while (p.nextToken() != null) {
                        // let Jackson say what is wrong, when it can
                    }
                } catch (JsonProcessingException e) {
                    detail = "malformed JSON: " + e.getOriginalMessage();
                } catch (IOException e) {
                    // keep the scanner's message
                }
            }
            sink.accept(overflow ? tooLarge(i, key, -1, max) : new RawRecord(i, key, null, recordBytes, detail, false));
            release();
            throw new Broken(detail);
        }

        private void fail(String key, String message) throws Broken {
            sink.accept(new RawRecord(index++, key, null, 0, message, false));
            throw new Broken(message);
        }

        // ---- scanning ----------------------------------------------------------------------------------------

        private int depth;

        private void scanValue() throws IOException, Broken {
            int b = peek();
            if (b == '{' || b == '[') {
                take();
                pushOpen((byte) b);
                scanUntilDepth(0);
            } else if (b == '"') {
                scanString();
            } else if (b < 0) {
                finishBroken(null, "malformed JSON: the input ends where a record was expected");
            } else if (b == ']' || b == '}' || b == ',' || b == ':') {
                finishBroken(null, "malformed JSON: unexpected '" + (char) b + "' where a record was expected");
            } else {
                // a number or literal: up to the next delimiter
                while ((b = peek()) >= 0 && b != ',' && b != ']' && b != '}' && !isWhitespace(b)) {
                    take();
                }
            }
        }

        /** Consumes bytes until the bracket depth falls back to {@code target}. */
        private void scanUntilDepth(int target) throws IOException, Broken {
            while (depth > target) {
                int b = peek();
                if (b < 0) {
                    finishBroken(null, "malformed JSON: the input ends inside a record");
                }
                if (b == '"') {
                    scanString();
                } else if (b == '{' || b == '[') {
                    take();
                    pushOpen((byte) b);
                } else if (b == '}' || b == ']') {
                    take();
                    popClose((byte) b);
                } else {
                    take();
                }
            }
        }

        private void pushOpen(byte open) throws Broken {
            if (depth >= SCAN_NESTING) {
                finishBroken(null, "malformed JSON: nesting deeper than " + SCAN_NESTING);
            }
            if (depth == stack.length) {
                stack = Arrays.copyOf(stack, stack.length * 2);
            }
            stack[depth++] = open;
        }

        private void popClose(byte close) throws Broken {
            byte expected = close == '}' ? (byte) '{' : (byte) '[';
            if (depth == 0 || stack[depth - 1] != expected) {
                finishBroken(null, "malformed JSON: unexpected '" + (char) close + "'");
            }
            depth--;
        }

        /** A string from its opening quote to its closing quote, escapes skipped (UTF-8 continuation bytes are never quotes). */
        private void scanString() throws IOException, Broken {
            take(); // opening quote
            while (true) {
                // fast path: run over plain bytes in the buffer
                if (pos >= len && !fill()) {
                    finishBroken(null, "malformed JSON: the input ends inside a string");
                }
                int start = pos;
                int end = len;
                int i = start;
                while (i < end) {
                    byte c = buf[i];
                    if (c == '"' || c == '\\') {
                        break;
                    }
                    i++;
                }
                consume(start, i);
                if (i == end) {
                    continue;
                }
                byte c = buf[pos];
                take();
                if (c == '"') {
                    return;
                }
                // an escape: its next byte is taken whatever it is
                if (peek() < 0) {
                    finishBroken(null, "malformed JSON: the input ends inside a string");
                }
                take();
            }
        }

        private String decodeKey(int keyStart) throws Broken {
            try (JsonParser p = factory.createParser(capture, keyStart, captured - keyStart)) {
                p.nextToken();
                return p.getText();
            } catch (IOException e) {
                finishBroken(null, "malformed JSON: a field name that cannot be read");
                return null;
            }
        }

        /** A key of a keyed map, read on its own (it is not part of any record). */
        private String readKey() throws IOException, Broken {
            ByteArrayOutputStream key = new ByteArrayOutputStream();
            key.write('"');
            next(); // opening quote
            while (true) {
                int b = peek();
                if (b < 0) {
                    fail(null, "malformed JSON: the input ends inside a record key");
                }
                next();
                key.write(b);
                if (b == '"') {
                    break;
                }
                if (b == '\\') {
                    int e = peek();
                    if (e < 0) {
                        fail(null, "malformed JSON: the input ends inside a record key");
                    }
                    next();
                    key.write(e);
                }
                if (key.size() > 10_000) {
                    fail(null, "malformed JSON: a record key longer than 10,000 bytes");
                }
            }
            byte[] k = key.toByteArray();
            try (JsonParser p = factory.createParser(k)) {
                JsonToken t = p.nextToken();
                if (t != JsonToken.VALUE_STRING) {
                    fail(null, "malformed JSON: a record key that cannot be read");
                }
                return p.getText();
            } catch (JsonProcessingException e) {
                fail(null, "malformed JSON: a record key that cannot be read (" + e.getOriginalMessage() + ")");
                return null;
            }
        }

        // ---- bytes -------------------------------------------------------------------------------------------

        private void startCapture() {
            capturing = true;
            overflow = false;
            captured = 0;
            recordBytes = 0;
            depth = 0;
        }

        private void release() {
            captured = 0;
            if (capture.length > 1024 * 1024) {
                capture = new byte[8 * 1024];
            }
        }

        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            int n;
            do {
                n = in.read(buf, 0, buf.length);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                pos = len = 0;
                return false;
            }
            pos = 0;
            len = n;
            return true;
        }

        private int peek() throws IOException {
            if (pos >= len && !fill()) {
                return -1;
            }
            return buf[pos] & 0xff;
        }

        /** Consumes a byte that is not part of any record. */
        private void next() {
            pos++;
        }

        /** Consumes the current byte as part of the record being captured. */
        private void take() {
            consume(pos, pos + 1);
        }

        /** Consumes buf[from, to) as part of the record being captured. */
        private void consume(int from, int to) {
            int n = to - from;
            if (capturing) {
                recordBytes += n;
                if (!overflow) {
                    if (recordBytes > max) {
                        overflow = true;
                        captured = 0;
                        if (capture.length > 1024 * 1024) {
                            capture = new byte[8 * 1024];
                        }
                    } else {
                        if (captured + n > capture.length) {
                            capture = Arrays.copyOf(capture, (int) Math.min(Integer.MAX_VALUE - 16,
                                    Math.max((long) capture.length * 2, (long) captured + n)));
                        }
                        System.arraycopy(buf, from, capture, captured, n);
                        captured += n;
                    }
                }
            }
            pos = to;
        }

        private int skipWhitespace() throws IOException {
            int b;
            while ((b = peek()) >= 0 && isWhitespace(b)) {
                next();
            }
            return b;
        }

        private int skipWhitespaceCaptured() throws IOException {
            int b;
            while ((b = peek()) >= 0 && isWhitespace(b)) {
                take();
            }
            return b;
        }

        private static boolean isWhitespace(int b) {
            return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0xEF || b == 0xBB || b == 0xBF;
        }

        private static String describe(int b) {
            if (b < 0) {
                return "the end of the input";
            }
            return switch (b) {
                case '"' -> "a string";
                case 't', 'f' -> "a boolean";
                case 'n' -> "null";
                default -> (b == '-' || (b >= '0' && b <= '9')) ? "a number" : "'" + (char) b + "'";
            };
        }
    }

    /** NDJSON: one record per line, each line bounded before it is parsed. */
    public static void ndjson(InputStream in, long maxRecordBytes, Consumer<RawRecord> sink) throws IOException {
        ndjson(in, maxRecordBytes, Long.MAX_VALUE, sink);
    }

    /** @param maxRecordTokens JSON tokens per line, counted by the parser as it reads */
    public static void ndjson(InputStream in, long maxRecordBytes, long maxRecordTokens, Consumer<RawRecord> sink) throws IOException {
        JsonFactory factory = factory(maxRecordBytes, maxRecordTokens);
        int[] index = {0};
        BoundedLines.read(in, maxRecordBytes, (line, bytes, newline) ->
                index[0] = line(factory, line, bytes, line == null, index[0], maxRecordBytes, maxRecordTokens, sink));
    }

    private static int line(JsonFactory factory, ByteArrayOutputStream line, long bytes, boolean overflow, int index, long max,
                            long maxTokens, Consumer<RawRecord> sink) {
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
        raw = null;
        JsonNode node;
        try (JsonParser p = factory.createParser(text)) {
            node = parse(p, index, null, bytes, maxTokens, "each line must be a JSON object", sink);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        text = null;
        if (node != null) {
            sink.accept(new RawRecord(index, null, node, bytes, null, false));
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

    static RawRecord tooLarge(int index, String key, long bytes, long max) {
        return new RawRecord(index, key, null, bytes, "record too large: " + (bytes < 0 ? "more than " + max : bytes)
                + " bytes; the limit is " + max, true);
    }
}
