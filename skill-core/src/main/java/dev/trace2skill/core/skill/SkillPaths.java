package dev.trace2skill.core.skill;

import java.util.Set;

/**
 * Relative paths inside a skill folder. A path is '/'-separated, relative, and never leaves the folder:
 * no absolute paths, no {@code ..} or {@code .} segments, no backslashes, no empty segments.
 */
public final class SkillPaths {
    /** The top-level directories the Agent Skills layout knows besides SKILL.md. */
    public static final Set<String> RESOURCE_DIRS = Set.of("references", "scripts", "assets");
    public static final int MAX_PATH_LENGTH = 255;

    private SkillPaths() {
    }

    /**
     * Returns the normalised form of {@code path} or throws {@link IllegalArgumentException} naming why it is unsafe.
     */
    public static String normalize(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path is empty");
        }
        if (path.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("path is longer than " + MAX_PATH_LENGTH + " characters");
        }
        if (path.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("path contains a backslash: " + path);
        }
        if (path.indexOf('\0') >= 0 || path.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("path contains a control character");
        }
        String text = dev.trace2skill.core.text.TextRules.identifier(path);
        if (text != null) {
            throw new IllegalArgumentException("path " + text);
        }
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            throw new IllegalArgumentException("path is absolute: " + path);
        }
        String p = path.startsWith("./") ? path.substring(2) : path;
        for (String segment : p.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("path has an empty, '.' or '..' segment: " + path);
            }
        }
        return p;
    }

    public static boolean isReference(String path) {
        return path.startsWith("references/");
    }

    public static boolean isMarkdown(String path) {
        return path.endsWith(".md");
    }
}
