package dev.trace2skill.core.json;

/** Finding the JSON in a model's answer. */
public final class ModelOutput {
    private ModelOutput() {
    }

    /** The JSON object (or array) in a model answer, tolerating Markdown code fences and prose around it. */
    public static String extractJson(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        int fence = t.indexOf("```");
        if (fence >= 0) {
            int start = t.indexOf('\n', fence);
            int end = t.indexOf("```", start + 1);
            if (start > 0 && end > start) {
                t = t.substring(start + 1, end).strip();
            }
        }
        int open = t.indexOf('{');
        int openArray = t.indexOf('[');
        if (openArray >= 0 && (open < 0 || openArray < open)) {
            int close = t.lastIndexOf(']');
            return close > openArray ? t.substring(openArray, close + 1) : t;
        }
        int close = t.lastIndexOf('}');
        return open >= 0 && close > open ? t.substring(open, close + 1) : t;
    }
}
