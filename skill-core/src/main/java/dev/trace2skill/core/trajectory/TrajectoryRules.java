package dev.trace2skill.core.trajectory;

import dev.trace2skill.core.text.TextRules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a trajectory must satisfy to be accepted. Every broken rule is reported, each naming its field.
 *
 * <p>Text is checked as {@link TextRules} says: no field may hold a NUL or a lone surrogate (PostgreSQL and UTF-8 could
 * not keep it as sent), and the names — {@code taskId}, {@code model}, {@code skillRef} and every tool name — no
 * control or invisible character either. A tool name is one token: no white space or line break (a "tool" named
 * {@code x`\n\n## Security policy …} is refused here, before it could reach a skill).
 */
public final class TrajectoryRules {
    /** Ids travel in URLs, Kafka keys and patch ids: letters, digits and {@code . _ : @ -}, at most 200 characters. */
    public static final Pattern ID_PATTERN = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$");
    public static final int MAX_TOOL_NAME = 200;
    /** Text problems reported per trajectory (a record full of NULs gets the first ones, not thousands). */
    static final int MAX_TEXT_ERRORS = 20;

    private TrajectoryRules() {
    }

    public static List<FieldError> check(Trajectory t) {
        List<FieldError> errors = new ArrayList<>();
        if (t.id() == null || t.id().isBlank()) {
            errors.add(new FieldError("id", "is required"));
        } else if (!ID_PATTERN.matcher(t.id()).matches()) {
            errors.add(new FieldError("id", "must match " + ID_PATTERN.pattern()));
        }
        if (t.query() == null || t.query().isBlank()) {
            errors.add(new FieldError("query", "is required"));
        }
        if (t.outcome() == null) {
            errors.add(new FieldError("outcome", "is required (outcome.success true or false)"));
        } else if (t.outcome().reward() != null && (t.outcome().reward().isNaN() || t.outcome().reward().isInfinite())) {
            errors.add(new FieldError("outcome.reward", "must be a finite number"));
        }
        for (int i = 0; i < t.steps().size(); i++) {
            Step s = t.steps().get(i);
            if (s == null) {
                errors.add(new FieldError("steps[" + i + "]", "must not be null"));
                continue;
            }
            if (s.action() == null && s.reasoning() == null && s.observation() == null) {
                errors.add(new FieldError("steps[" + i + "]", "must have reasoning, an action or an observation"));
            }
            if (s.action() != null) {
                String tool = s.action().tool();
                if (tool == null || tool.isBlank()) {
                    errors.add(new FieldError("steps[" + i + "].action.tool", "is required"));
                } else if (tool.length() > MAX_TOOL_NAME) {
                    errors.add(new FieldError("steps[" + i + "].action.tool", "is longer than " + MAX_TOOL_NAME + " characters"));
                } else {
                    String p = toolName(tool);
                    if (p != null) {
                        errors.add(new FieldError("steps[" + i + "].action.tool", p));
                    }
                }
                if (!s.action().arguments().isObject()) {
                    errors.add(new FieldError("steps[" + i + "].action.arguments", "must be a JSON object"));
                }
            }
        }
        if (t.usage() != null && (t.usage().promptTokens() < 0 || t.usage().completionTokens() < 0)) {
            errors.add(new FieldError("usage", "token counts must not be negative"));
        }
        text(t, errors);
        return errors;
    }

    /** Null when {@code tool} is a valid tool name (one token of visible characters), else why not. */
    public static String toolName(String tool) {
        String p = TextRules.identifier(tool);
        if (p != null) {
            return p;
        }
        for (int i = 0; i < tool.length(); i++) {
            if (Character.isWhitespace(tool.charAt(i)) || Character.isSpaceChar(tool.charAt(i))) {
                return "must be one token: it contains white space at position " + i;
            }
        }
        return null;
    }

    /** The text rules over every string of the trajectory. */
    private static void text(Trajectory t, List<FieldError> errors) {
        List<FieldError> found = new ArrayList<>();
        identifier("taskId", t.taskId(), found);
        identifier("model", t.model(), found);
        identifier("skillRef", t.skillRef(), found);
        free("query", t.query(), found);
        free("finalAnswer", t.finalAnswer(), found);
        free("expectedAnswer", t.expectedAnswer(), found);
        for (int i = 0; i < t.steps().size() && found.size() < MAX_TEXT_ERRORS; i++) {
            Step s = t.steps().get(i);
            if (s == null) {
                continue;
            }
            free("steps[" + i + "].reasoning", s.reasoning(), found);
            free("steps[" + i + "].observation", s.observation(), found);
            free("steps[" + i + "].errorRule", s.errorRule(), found);
            if (s.action() != null) {
                TextRules.json(s.action().arguments(), "steps[" + i + "].action.arguments", found, MAX_TEXT_ERRORS);
            }
        }
        TextRules.value(t.metadata(), "metadata", found, MAX_TEXT_ERRORS);
        errors.addAll(found.subList(0, Math.min(found.size(), MAX_TEXT_ERRORS)));
    }

    private static void identifier(String field, String value, List<FieldError> errors) {
        String p = TextRules.identifier(value);
        if (p != null) {
            errors.add(new FieldError(field, p));
        }
    }

    private static void free(String field, String value, List<FieldError> errors) {
        String p = TextRules.text(value);
        if (p != null && errors.size() < MAX_TEXT_ERRORS) {
            errors.add(new FieldError(field, p));
        }
    }
}
