package dev.trace2skill.core.importers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Correctness labels from a separate results file, matched to records by key: a record's own id, its task or
 * instance id, its key in the upload (e.g. a FireAct question id) or its question text (white space and case
 * ignored). A label from this file decides a record's outcome over anything the record says itself. Accepted files:
 * <ul>
 *   <li>an object of key → label: {@code {"django__django-11099": true, "q17": {"reward": 0.5}}};</li>
 *   <li>an array, or NDJSON lines, of objects each naming its key ({@code id}, {@code instance_id}, {@code task_id},
 *       {@code question}, {@code query} or {@code key}) and its label;</li>
 *   <li>an evaluation report whose values are lists of ids: ids under {@code resolved} / {@code resolved_ids} /
 *       {@code correct} / {@code passed} / {@code success} are successes, ids under any other list
 *       ({@code unresolved_ids}, {@code error_ids}, {@code applied}, …) failures (SWE-bench's reports).</li>
 * </ul>
 * A label is a boolean, a number (a reward: success when ≥ 1), a word ({@code true}/{@code false},
 * {@code resolved}/{@code unresolved}, {@code correct}/{@code incorrect}, {@code pass}/{@code fail}, …) or an object
 * with {@code resolved}, {@code success}, {@code correct}, {@code is_correct}, {@code em}, {@code label} or
 * {@code reward}, and optionally the expected answer ({@code expected}, {@code expected_answer}, {@code gt},
 * {@code answer}).
 */
public final class Labels {
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    static final List<String> KEY_FIELDS = List.of("id", "instance_id", "instanceId", "task_id", "taskId", "question", "query", "key");
    static final List<String> VERDICT_FIELDS = List.of("resolved", "success", "correct", "is_correct", "isCorrect", "em", "label", "outcome", "reward", "score");
    static final List<String> EXPECTED_FIELDS = List.of("expected", "expected_answer", "expectedAnswer", "gt", "answer", "gold");
    static final Set<String> SUCCESS_LISTS = Set.of("resolved", "resolved_ids", "correct", "correct_ids", "passed", "success", "successes", "solved");

    /**
     * @param success  whether the record is correct
     * @param reward   the reward when the label gave a number
     * @param expected the expected answer when the label gave one
     */
    public record Label(boolean success, Double reward, String expected) {
    }

    private final Map<String, Label> byKey;

    private Labels(Map<String, Label> byKey) {
        this.byKey = Collections.unmodifiableMap(byKey);
    }

    public static Labels of(Map<String, Label> labels) {
        Map<String, Label> m = new LinkedHashMap<>();
        labels.forEach((k, v) -> m.put(norm(k), v));
        return new Labels(m);
    }

    public int size() {
        return byKey.size();
    }

    public long successes() {
        return byKey.values().stream().filter(Label::success).count();
    }

    /** The label of the first key that has one (null keys are skipped). */
    public Optional<Label> find(String... keys) {
        for (String k : keys) {
            if (k != null && !k.isBlank()) {
                Label l = byKey.get(norm(k));
                if (l != null) {
                    return Optional.of(l);
                }
            }
        }
        return Optional.empty();
    }

    static String norm(String key) {
        return key.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a labels file (JSON or NDJSON).
     *
     * @throws IllegalArgumentException naming what is wrong (the entry, its key, the field)
     */
    public static Labels read(InputStream in, long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw new IllegalArgumentException("the labels file is larger than " + maxBytes + " bytes");
            }
            out.write(buf, 0, n);
        }
        return parse(out.toString(StandardCharsets.UTF_8));
    }

    public static Labels parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("the labels file is empty");
        }
        Map<String, Label> m = new LinkedHashMap<>();
        List<JsonNode> values = new ArrayList<>();
        try (com.fasterxml.jackson.core.JsonParser p = Json.mapper().createParser(t)) {
            while (p.nextToken() != null) {
                values.add(Json.mapper().readTree(p));
            }
        } catch (IOException | RuntimeException e) {
            values = null;
        }
        JsonNode whole = values != null && values.size() == 1 ? values.get(0) : null;
        if (whole == null) {
            int line = 0;
            for (String l : t.split("\n")) {
                line++;
                if (l.isBlank()) {
                    continue;
                }
                JsonNode entry;
                try {
                    entry = Json.mapper().readTree(l);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("labels line " + line + ": not JSON (" + e.getOriginalMessage() + ")");
                }
                entry(m, entry, "line " + line);
            }
        } else if (whole.isArray()) {
            for (int i = 0; i < whole.size(); i++) {
                entry(m, whole.get(i), "[" + i + "]");
            }
        } else if (whole.isObject() && isReport(whole)) {
            report(m, whole);
        } else if (whole.isObject() && KEY_FIELDS.stream().anyMatch(whole::has) && VERDICT_FIELDS.stream().anyMatch(whole::has)) {
            entry(m, whole, "(record)");
        } else if (whole.isObject()) {
            var it = whole.fields();
            while (it.hasNext()) {
                var e = it.next();
                m.put(norm(e.getKey()), label(e.getValue(), "'" + e.getKey() + "'"));
            }
        } else {
            throw new IllegalArgumentException("a labels file is an object of id → label, an array or NDJSON of {id, label} entries,"
                    + " or a report of id lists");
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("the labels file holds no labels");
        }
        return new Labels(m);
    }

    private static boolean isReport(JsonNode o) {
        boolean anyList = false;
        boolean success = false;
        var it = o.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getValue().isArray()) {
                for (JsonNode v : e.getValue()) {
                    if (!v.isTextual()) {
                        return false;
                    }
                }
                anyList = true;
                success |= SUCCESS_LISTS.contains(e.getKey());
            } else if (e.getValue().isObject() || e.getValue().isBoolean()) {
                return false;
            }
        }
        return anyList && success;
    }

    private static void report(Map<String, Label> m, JsonNode o) {
        var it = o.fields();
        List<String> successes = new ArrayList<>();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isArray()) {
                continue;
            }
            boolean ok = SUCCESS_LISTS.contains(e.getKey());
            for (JsonNode id : e.getValue()) {
                if (ok) {
                    successes.add(id.asText());
                } else {
                    m.putIfAbsent(norm(id.asText()), new Label(false, null, null));
                }
            }
        }
        for (String id : successes) {
            m.put(norm(id), new Label(true, null, null));
        }
    }

    private static void entry(Map<String, Label> m, JsonNode e, String where) {
        if (e == null || !e.isObject()) {
            throw new IllegalArgumentException("labels entry " + where + ": must be an object with a key field and a label");
        }
        String key = null;
        for (String f : KEY_FIELDS) {
            if (e.hasNonNull(f) && e.get(f).isValueNode() && !e.get(f).asText().isBlank()) {
                key = e.get(f).asText();
                break;
            }
        }
        if (key == null) {
            throw new IllegalArgumentException("labels entry " + where + ": needs one of " + KEY_FIELDS);
        }
        m.put(norm(key), label(e, "entry " + where + " ('" + key + "')"));
    }

    /** A label from a value: a boolean, a number, a word, or an object with a verdict field. */
    static Label label(JsonNode v, String where) {
        if (v.isObject()) {
            String expected = null;
            for (String f : EXPECTED_FIELDS) {
                if (v.hasNonNull(f) && v.get(f).isValueNode()) {
                    expected = v.get(f).asText();
                    break;
                }
            }
            for (String f : VERDICT_FIELDS) {
                if (v.hasNonNull(f) && v.get(f).isValueNode()) {
                    Label l = label(v.get(f), where + "." + f);
                    Double reward = l.reward() != null ? l.reward() : v.path("reward").isNumber() ? v.get("reward").asDouble() : null;
                    return new Label(l.success(), reward, expected);
                }
            }
            throw new IllegalArgumentException("labels " + where + ": no verdict (one of " + VERDICT_FIELDS + ")");
        }
        if (v.isBoolean()) {
            return new Label(v.asBoolean(), null, null);
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("labels " + where + ": the reward must be a finite number");
            }
            return new Label(d >= 1.0 - 1e-9, d, null);
        }
        if (v.isTextual()) {
            Boolean b = word(v.asText());
            if (b != null) {
                return new Label(b, null, null);
            }
        }
        throw new IllegalArgumentException("labels " + where + ": '" + v.asText() + "' is not a label (true/false, a reward,"
                + " resolved/unresolved, correct/incorrect, pass/fail)");
    }

    /** A verdict word, or null when the text is not one. */
    public static Boolean word(String s) {
        String w = s.strip().toLowerCase(Locale.ROOT);
        return switch (w) {
            case "true", "yes", "1", "correct", "right", "resolved", "success", "succeeded", "successful", "pass", "passed", "solved", "ok" -> true;
            case "false", "no", "0", "incorrect", "wrong", "unresolved", "failure", "failed", "fail", "error", "unsolved", "halted" -> false;
            default -> null;
        };
    }

    /** The labels as JSON (key → {success, reward?, expected?}), to store a label set. */
    public String toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        byKey.forEach((k, l) -> {
            ObjectNode e = o.putObject(k);
            e.put("success", l.success());
            if (l.reward() != null) {
                e.put("reward", l.reward());
            }
            if (l.expected() != null) {
                e.put("expected", l.expected());
            }
        });
        return Json.write(o);
    }

    public static Labels fromJson(String json) {
        return parse(json);
    }
}
