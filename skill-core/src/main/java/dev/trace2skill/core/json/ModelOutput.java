package dev.trace2skill.core.json;

/** Finding what a model meant in its answer: the text inside a Markdown code fence, the JSON in it. */
public final class ModelOutput {
    private static final String FENCE = "```";

    private ModelOutput() {
    }

    /** The JSON object (or array) in a model answer, tolerating Markdown code fences and prose around it. */
    public static String extractJson(String text) {
        String t = fenced(text);
        int open = t.indexOf('{');
        int openArray = t.indexOf('[');
        if (openArray >= 0 && (open < 0 || openArray < open)) {
            int close = t.lastIndexOf(']');
            return close > openArray ? t.substring(openArray, close + 1) : t;
        }
        int close = t.lastIndexOf('}');
        return open >= 0 && close > open ? t.substring(open, close + 1) : t;
    }

    /**
     * The body of the first code fence in a model answer, or the whole (stripped) answer when it has none. The fence
     * closes at the first line that starts with {@code ```}: a JSON string cannot hold a line break, so a code block
     * quoted inside the JSON (an edit adding an example to a skill) does not end it early. Without such a line, at the
     * first {@code ```} after the opening (a closing fence written right after the JSON).
     */
    public static String fenced(String text) {
        return unfence(text, false);
    }

    /**
     * A whole Markdown document in a model answer (e.g. a SKILL.md), from the first occurrence of {@code start} (e.g.
     * its front matter's {@code ---}) on. A code fence around the document is removed; since the document may hold
     * fenced code blocks itself, that fence closes at the last {@code ```} of the answer. An answer whose document
     * starts before its first fence is not wrapped: its fences are the document's own code blocks.
     */
    public static String document(String text, String start) {
        String t = text == null ? "" : text.strip();
        int fence = t.indexOf(FENCE);
        int begins = t.indexOf(start);
        if (fence >= 0 && (begins < 0 || fence < begins)) {
            t = unfence(t, true);
            begins = t.indexOf(start);
        }
        return begins > 0 ? t.substring(begins) : t;
    }

    private static String unfence(String text, boolean outermost) {
        String t = text == null ? "" : text.strip();
        int fence = t.indexOf(FENCE);
        if (fence < 0) {
            return t;
        }
        int start = t.indexOf('\n', fence);
        if (start < 0) {
            return t;
        }
        int end = outermost ? t.lastIndexOf(FENCE) : closingLine(t, start);
        if (end < 0) {
            end = t.indexOf(FENCE, start + 1);
        }
        return end > start ? t.substring(start + 1, end).strip() : t;
    }

    /** The first {@code ```} after {@code from} that begins a line (after indentation), or -1. */
    private static int closingLine(String t, int from) {
        for (int nl = from; nl >= 0 && nl < t.length(); nl = t.indexOf('\n', nl + 1)) {
            int i = nl + 1;
            while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
                i++;
            }
            if (t.startsWith(FENCE, i)) {
                return i;
            }
        }
        return -1;
    }
}
