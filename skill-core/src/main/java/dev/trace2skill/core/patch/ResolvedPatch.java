package dev.trace2skill.core.patch;

import dev.trace2skill.core.skill.SkillBundle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A patch's edits resolved against the frozen S0: what each edit reads or removes there ({@link Touch}), the text
 * changes it makes at S0's offsets ({@link Splice}), the files it creates or deletes, and every conflict found so far.
 * {@link EditResolver} fills it, {@link PatchChecks} adds the conflicts between edits and in the result, and
 * {@link PatchSplicer} applies the splices of the edits that have none.
 */
final class ResolvedPatch {
    /** How an edit touches S0's text: removes it, only anchors on it, inserts at one point, or deletes the file. */
    enum TouchKind { REMOVE, READ, POINT, WHOLE_FILE }

    /** A range {@code [start, end)} of S0's {@code file} that {@code edit} touches. */
    record Touch(int edit, String file, int start, int end, TouchKind kind) {
    }

    /**
     * A text change at S0's offsets. Splices at the same offset are ordered by {@code order} (the edit that anchors
     * them), then sections before the items appended to them, then edit index.
     */
    record Splice(int edit, int start, int end, String text, int order, boolean dependent) {
        Splice(int edit, int start, int end, String text) {
            this(edit, start, end, text, edit, false);
        }
    }

    final SkillBundle base;
    final List<Edit> edits;
    final List<Conflict> conflicts = new ArrayList<>();
    /** Edits that cannot be applied: named by a conflict as the edit at fault, or as the later of two overlapping ones. */
    final Set<Integer> failed = new HashSet<>();
    /** S0's text of every file a text edit resolved in. */
    final Map<String, String> texts = new HashMap<>();
    final List<Touch> touches = new ArrayList<>();
    /** Per file, in the order the files were first spliced. */
    final Map<String, List<Splice>> splices = new LinkedHashMap<>();
    /** Created file → the create edit; its content in {@link #createdContent}. */
    final Map<String, Integer> creations = new LinkedHashMap<>();
    final Map<String, String> createdContent = new HashMap<>();
    /** Deleted file → the delete_file edit. */
    final Map<String, Integer> deletions = new LinkedHashMap<>();
    /** append_to_section edits into a section the same patch adds → the add_section edit they depend on. */
    final Map<Integer, Integer> dependsOn = new HashMap<>();

    ResolvedPatch(SkillBundle base, List<Edit> edits) {
        this.base = base;
        this.edits = edits;
    }

    /** Records a conflict with {@code edit} at fault; that edit is not applied. */
    void reject(ConflictKind kind, int edit, Integer other, String file, String message) {
        conflicts.add(new Conflict(kind, edit, other, file, message));
        failed.add(edit);
    }

    /** Records a conflict found in the spliced result (the edits are already applied). */
    void report(Conflict conflict) {
        conflicts.add(conflict);
    }

    boolean applies(int edit) {
        return !failed.contains(edit);
    }

    String baseText(String path) {
        return texts.computeIfAbsent(path, base::text);
    }

    void addSplice(String path, Splice splice) {
        splices.computeIfAbsent(path, k -> new ArrayList<>()).add(splice);
    }
}
