package dev.trace2skill.core.text;

/**
 * Untrusted text (from a trajectory: a query, an answer, an observation, a tool name) written into a skill file as
 * data, never as Markdown: an inline code span on one line, in which nothing is interpreted — no heading, link,
 * image, HTML, emphasis, autolink or code fence can come out of it, and it cannot end the span early (the fence is
 * longer than any run of backticks inside). Line breaks and runs of white space become one space; control and
 * invisible characters (zero-width, bidirectional, NUL, escape) are shown as the text {@code \\u200b} and the like, so nothing
 * in it is hidden; long text is cut to {@code max} characters with "…".
 */
public final class MarkdownLiteral {
    private MarkdownLiteral() {
    }

    /** {@code `text`} for a short single-line identifier such as a tool name (no length cap beyond 200). */
    public static String code(String text) {
        return code(text, 200);
    }

    /** The text as an inline code span of at most {@code max} visible characters. */
    public static String code(String text, int max) {
        String flat = visible(text == null ? "" : text, max);
        if (flat.isEmpty()) {
            return "` `";
        }
        int longest = 0;
        int run = 0;
        for (int i = 0; i < flat.length(); i++) {
            if (flat.charAt(i) == '`') {
                longest = Math.max(longest, ++run);
            } else {
                run = 0;
            }
        }
        String fence = "`".repeat(longest + 1);
        // a span that starts or ends with a backtick (or a space) needs a space of padding, which CommonMark strips
        boolean pad = flat.startsWith("`") || flat.endsWith("`") || (flat.startsWith(" ") && flat.endsWith(" "));
        return pad ? fence + " " + flat + " " + fence : fence + flat + fence;
    }

    /**
     * One line with every character visible: white space runs collapsed to one space, control and invisible
     * formatting characters and lone surrogates written as a backslash, u and four hex digits, cut to {@code max} characters.
     */
    public static String visible(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        boolean space = false;
        int i = 0;
        while (i < text.length() && out.length() < max) {
            char c = text.charAt(i);
            int cp;
            boolean lone = false;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = text.codePointAt(i);
            } else {
                cp = c;
                lone = Character.isSurrogate(c);
            }
            i += Character.charCount(cp);
            if (cp == '\t' || cp == '\n' || cp == '\r' || (Character.isWhitespace(cp) && !TextRules.invisible(cp)) || Character.isSpaceChar(cp)) {
                space = !out.isEmpty();
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            if (lone || TextRules.invisible(cp)) {
                out.append(cp > 0xFFFF ? String.format(java.util.Locale.ROOT, "\\u{%X}", cp) : String.format(java.util.Locale.ROOT, "\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        }
        if (i < text.length() && !text.substring(i).isBlank()) {
            out.append('…');
        }
        return out.toString();
    }
}
