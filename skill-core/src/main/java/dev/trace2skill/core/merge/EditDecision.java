package dev.trace2skill.core.merge;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What happened to one input edit at a merge node, so that no valid input edit disappears without a record.
 *
 * @param edit    the input edit's id
 * @param action  what happened
 * @param into    the output edit it now lives in (KEPT, MERGED, REANCHORED, ROUTED), or null
 * @param reason  why, in words
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EditDecision(String edit, Action action, String into, String reason) {
    public enum Action {
        /** Kept as it was. */
        KEPT,
        /** Folded into an output edit together with duplicates or near-duplicates. */
        MERGED,
        /** Kept with its target rewritten to the closest S0 passage. */
        REANCHORED,
        /** Moved out of the SKILL.md body into a reference file (below the prevalence threshold). */
        ROUTED,
        /** Not in the output. */
        DROPPED
    }

    public static EditDecision dropped(String edit, String reason) {
        return new EditDecision(edit, Action.DROPPED, null, reason);
    }
}
