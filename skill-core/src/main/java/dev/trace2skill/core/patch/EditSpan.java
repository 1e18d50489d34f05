package dev.trace2skill.core.patch;

/**
 * Where an applied edit's new text landed in the resulting skill: lines {@code [startLine, endLine)} (0-based)
 * of {@code file}. For {@code delete_*} ops nothing lands; those have no span.
 */
public record EditSpan(int edit, String file, int startLine, int endLine) {
    public boolean covers(String path, int line) {
        return file.equals(path) && line >= startLine && line < endLine;
    }
}
