package dev.trace2skill.core.trajectory;

/** A rejected field: a JSON-pointer-like path (e.g. {@code steps[3].action.tool}) and why. */
public record FieldError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
