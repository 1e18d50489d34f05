package dev.trace2skill.core.patch;

import dev.trace2skill.core.skill.SkillBundle;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies a patch to a skill programmatically, and finds every reason it cannot be applied.
 *
 * <p>Every edit is resolved against the unchanged base (the frozen S0), never against another edit's output:
 * <ul>
 *   <li>{@code insert_after} / {@code insert_before}: the content's lines go right after the line where
 *       {@code target_text} ends / right before the line where it starts; without {@code target_text}, after / before
 *       the heading line of {@code target_section}.</li>
 *   <li>{@code append_to_section}: after the last non-blank line of the section's own text, before any subsection
 *       (a blank line separates it, except between list items).</li>
 *   <li>{@code replace_in_section}: the exact {@code target_text} inside the section (or the file) becomes
 *       {@code content}.</li>
 *   <li>{@code add_section}: a new section {@code target_section} (level 2 unless written as {@code ### Title}) at the
 *       end of the file.</li>
 *   <li>{@code delete_section}: the heading and everything up to the next heading of the same or a higher level.</li>
 *   <li>{@code create} / {@code delete_file}: whole files under {@code references/}, {@code scripts/} or {@code assets/}.</li>
 * </ul>
 * A target must match exactly once in its scope. Two edits conflict when one removes text the other touches.
 *
 * <p>Three steps: {@link EditResolver edit resolution} (where each edit lands in S0), {@link PatchChecks result
 * checks} (conflicts between edits, then the policy and limits on the result) and {@link PatchSplicer splicing}
 * (the edits without conflict applied to S0's text).
 */
public final class PatchApplier {
    private final PatchPolicy policy;
    private final PatchChecks checks;

    public PatchApplier(PatchPolicy policy) {
        this.policy = policy;
        this.checks = new PatchChecks(policy);
    }

    public PatchPolicy policy() {
        return policy;
    }

    /**
     * @param skill     the result, or null when there is any conflict
     * @param conflicts every reason the patch cannot be applied (empty when it applies cleanly)
     * @param spans     where each edit's new text landed in the result
     */
    public record Result(SkillBundle skill, List<Conflict> conflicts, List<EditSpan> spans) {
        public boolean ok() {
            return conflicts.isEmpty();
        }

        /** Indexes of the edits named by at least one conflict. */
        public Set<Integer> conflictingEdits() {
            Set<Integer> out = new TreeSet<>();
            for (Conflict c : conflicts) {
                if (c.edit() != null) {
                    out.add(c.edit());
                }
                if (c.otherEdit() != null) {
                    out.add(c.otherEdit());
                }
            }
            return out;
        }
    }

    public List<Conflict> check(SkillBundle base, Patch patch) {
        return apply(base, patch).conflicts();
    }

    public Result apply(SkillBundle base, Patch patch) {
        ResolvedPatch resolved = EditResolver.resolve(policy, base, patch.edits());
        checks.checkEdits(resolved);
        PatchSplicer.Spliced spliced = PatchSplicer.splice(resolved);
        checks.checkResult(resolved, spliced.skill());
        List<Conflict> conflicts = List.copyOf(resolved.conflicts);
        return new Result(conflicts.isEmpty() ? spliced.skill() : null, conflicts, spliced.spans());
    }
}
