package dev.trace2skill.core.skill;

/**
 * A Markdown section: a heading and everything up to the next heading of the same or a higher level.
 * Offsets are character offsets into the text the section was parsed from; {@code end} is exclusive.
 *
 * @param title        heading text without the leading {@code #} marks
 * @param level        1 for {@code #}, 2 for {@code ##}, ...
 * @param start        offset of the heading line's first character
 * @param headingEnd   offset just after the heading line (after its newline)
 * @param end          offset where the section ends (exclusive), subsections included
 * @param ownEnd       offset where the section's own text ends: its first subsection's heading, or {@code end}
 * @param startLine    0-based line of the heading
 */
public record Section(String title, int level, int start, int headingEnd, int end, int ownEnd, int startLine) {

    public boolean contains(int offset) {
        return offset >= start && offset < end;
    }

    public Section shift(int offset, int lines) {
        return new Section(title, level, start + offset, headingEnd + offset, end + offset, ownEnd + offset, startLine + lines);
    }

    /** Normalised title used to match a {@code target_section}: case-insensitive, spaces folded, {@code #} marks removed. */
    public static String normalizeTitle(String title) {
        String t = title.strip();
        while (t.startsWith("#")) {
            t = t.substring(1);
        }
        t = t.strip();
        while (t.endsWith("#")) {
            t = t.substring(0, t.length() - 1);
        }
        return t.strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
    }
}
