package dev.trace2skill.core.trajectory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** What a trajectory must satisfy to be accepted. Every broken rule is reported, each naming its field. */
public final class TrajectoryRules {
    /** Ids travel in URLs, Kafka keys and patch ids: letters, digits and {@code . _ : @ -}, at most 200 characters. */
    public static final Pattern ID_PATTERN = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$");
    public static final int MAX_TOOL_NAME = 200;

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
                }
                if (!s.action().arguments().isObject()) {
                    errors.add(new FieldError("steps[" + i + "].action.arguments", "must be a JSON object"));
                }
            }
        }
        if (t.usage() != null && (t.usage().promptTokens() < 0 || t.usage().completionTokens() < 0)) {
            errors.add(new FieldError("usage", "token counts must not be negative"));
        }
        return errors;
    }
}
