package dev.trace2skill.core.skill;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * One broken Agent Skills rule, or (a warning) a rule of good skill design the folder does not follow.
 *
 * @param file     the file inside the skill folder (e.g. {@code SKILL.md}, {@code references/api.md})
 * @param rule     a stable rule id, e.g. {@code name.pattern}
 * @param value    the offending value (abbreviated), or null
 * @param message  what is wrong, in words
 * @param severity {@link Severity#ERROR}: the folder is not a valid skill; {@link Severity#WARNING}: it is valid, but an
 *                 agent may read it badly (reported, never a reason to refuse it)
 */
public record Violation(String file, String rule, String value, String message, Severity severity) {
    public enum Severity {
        ERROR, WARNING;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Violation {
        severity = severity == null ? Severity.ERROR : severity;
    }

    /** An error. */
    public Violation(String file, String rule, String value, String message) {
        this(file, rule, value, message, Severity.ERROR);
    }

    public static Violation warning(String file, String rule, String value, String message) {
        return new Violation(file, rule, value, message, Severity.WARNING);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return (severity == Severity.WARNING ? "warning: " : "") + file + ": " + rule + ": " + message + (value == null ? "" : " (value: " + value + ")");
    }
}
