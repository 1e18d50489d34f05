package dev.trace2skill.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.trajectory.FieldError;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What text from outside may contain. Every service stores text in PostgreSQL (whose {@code text} and {@code jsonb}
 * cannot hold NUL) and writes it as UTF-8 (which cannot encode a lone surrogate: it would be replaced, so the stored
 * text would differ from what was sent). So:
 * <ul>
 *   <li>{@link #text}: free text (a query, an observation, a file) must hold no NUL and no lone surrogate; other control
 *       characters (a terminal's escape sequences in a tool's output) are kept, and escaped wherever they are shown;</li>
 *   <li>{@link #identifier}: names and ids (a task id, a model, a dataset, a path parameter) must hold no control
 *       character at all (C0, DEL, C1, line and paragraph separators), no invisible formatting character (zero-width
 *       and bidirectional controls) and no lone surrogate.</li>
 * </ul>
 * Each check returns what is wrong in words naming the character and its position, or null when the text is fine.
 */
public final class TextRules {
    private TextRules() {
    }

    /** Null when {@code s} is acceptable free text, else why not. */
    public static String text(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "contains a NUL character (U+0000) at position " + i;
            }
            String surrogate = surrogate(s, i);
            if (surrogate != null) {
                return surrogate;
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return null;
    }

    /** Null when {@code s} is an acceptable name or id, else why not. */
    public static String identifier(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); ) {
            String surrogate = surrogate(s, i);
            if (surrogate != null) {
                return surrogate;
            }
            int cp = s.codePointAt(i);
            if (invisible(cp)) {
                return "contains the " + (cp == 0 ? "NUL" : Character.getType(cp) == Character.FORMAT ? "invisible formatting" : "control")
                        + " character " + codePoint(cp) + " at position " + i;
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /**
     * Whether a code point is a control or an invisible formatting character: C0 and C1 controls, DEL, line and
     * paragraph separators, and format characters (zero-width spaces and joiners, bidirectional controls, the byte
     * order mark, Unicode tag characters).
     */
    public static boolean invisible(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** {@code U+001B}. */
    public static String codePoint(int cp) {
        return String.format(Locale.ROOT, "U+%04X", cp);
    }

    /**
     * Free-text rule over a JSON value: every string and every field name under it. Problems are added to {@code errors}
     * with the field's path ({@code field.key}, {@code field[2]}); at most {@code max} are added.
     */
    public static void json(JsonNode node, String field, List<FieldError> errors, int max) {
        if (node == null || errors.size() >= max) {
            return;
        }
        if (node.isTextual()) {
            String p = text(node.textValue());
            if (p != null) {
                errors.add(new FieldError(field, p));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                json(node.get(i), field + "[" + i + "]", errors, max);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String p = text(key);
                if (p != null) {
                    errors.add(new FieldError(field, "has a key that " + p));
                    key = "(key)";
                }
                json(e.getValue(), field.isEmpty() ? key : field + "." + key, errors, max);
            }
        }
    }

    /** Free-text rule over plain Java values (maps, lists, strings), as a trajectory's metadata holds them. */
    public static void value(Object value, String field, List<FieldError> errors, int max) {
        if (value == null || errors.size() >= max) {
            return;
        }
        if (value instanceof String s) {
            String p = text(s);
            if (p != null) {
                errors.add(new FieldError(field, p));
            }
        } else if (value instanceof JsonNode n) {
            json(n, field, errors, max);
        } else if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                String p = text(key);
                if (p != null) {
                    errors.add(new FieldError(field, "has a key that " + p));
                    key = "(key)";
                }
                value(e.getValue(), field.isEmpty() ? key : field + "." + key, errors, max);
            }
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                value(l.get(i), field + "[" + i + "]", errors, max);
            }
        }
    }

    private static String surrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                return null;
            }
            return "contains a lone surrogate " + codePoint(c) + " at position " + i + " (not valid Unicode text)";
        }
        if (Character.isLowSurrogate(c)) {
            return "contains a lone surrogate " + codePoint(c) + " at position " + i + " (not valid Unicode text)";
        }
        return null;
    }
}
