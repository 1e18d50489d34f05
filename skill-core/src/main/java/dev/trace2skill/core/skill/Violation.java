package dev.trace2skill.core.skill;

/**
 * One broken Agent Skills rule.
 *
 * @param file    the file inside the skill folder (e.g. {@code SKILL.md}, {@code references/api.md})
 * @param rule    a stable rule id, e.g. {@code name.pattern}
 * @param value   the offending value (abbreviated), or null
 * @param message what is wrong, in words
 */
public record Violation(String file, String rule, String value, String message) {
    @Override
    public String toString() {
        return file + ": " + rule + ": " + message + (value == null ? "" : " (value: " + value + ")");
    }
}
