package dev.trace2skill.core.patch;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One reason a patch cannot be applied as it stands.
 *
 * @param kind      what is wrong
 * @param edit      0-based index of the edit at fault in its patch, or null for the patch as a whole
 * @param otherEdit the other edit involved (overlaps), or null
 * @param file      the file concerned
 * @param message   what is wrong, in words a model can act on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Conflict(ConflictKind kind, Integer edit, Integer otherEdit, String file, String message) {
    @Override
    public String toString() {
        return (edit == null ? "patch" : "edit " + edit) + (otherEdit == null ? "" : " and edit " + otherEdit)
                + ": " + kind + " in " + file + ": " + message;
    }
}
