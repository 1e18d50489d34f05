package dev.trace2skill.core.merge;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.patch.Edit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where edits came from: each edit walked down its {@code sources} through the merge nodes to the analysts' edits
 * (ids {@code <patch id>#<n>}), in the order a reader follows them (an edit, then what it was merged from).
 */
public final class EditLineage {
    private EditLineage() {
    }

    /**
     * One edit on the way down.
     *
     * @param edit      the edit's id
     * @param depth     0 for the edits asked about, +1 per merge step down
     * @param node      the merge node whose output holds it, {@code p*} for the final patch, null for an analyst's edit
     * @param patch     the analyst's patch (leaves only)
     * @param sources   the input edits it was merged from
     * @param missing   true when the edit is named as a source but is not recorded (e.g. the pool changed)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String edit, int depth, String node, String patch, String op, String file, String section, String content,
                       String rationale, List<String> support, List<String> sources, Boolean missing) {
    }

    /**
     * @param roots      the edits to explain
     * @param edits      every edit of the run by id (analysts' edits, merge nodes' outputs, p*)
     * @param nodeOfEdit the merge node that wrote an edit (absent for analysts' edits)
     */
    public static List<Step> walk(Collection<String> roots, Map<String, Edit> edits, Map<String, String> nodeOfEdit) {
        List<Step> out = new ArrayList<>();
        Set<String> visited = new HashSet<>();
        for (String root : roots) {
            walk(root, 0, edits, nodeOfEdit, visited, out);
        }
        return out;
    }

    private static void walk(String id, int depth, Map<String, Edit> edits, Map<String, String> nodeOfEdit, Set<String> visited,
                             List<Step> out) {
        if (id == null || !visited.add(id)) {
            return;
        }
        Edit e = edits.get(id);
        if (e == null) {
            out.add(new Step(id, depth, nodeOfEdit.get(id), nodeOfEdit.containsKey(id) ? null : patchOf(id), null, null, null, null,
                    null, List.of(), List.of(), true));
            return;
        }
        String node = nodeOfEdit.get(id);
        boolean leaf = e.sources().isEmpty() && node == null;
        out.add(new Step(id, depth, node, leaf ? patchOf(id) : null, e.op() == null ? null : e.op().wire(), e.path(), e.targetSection(),
                e.content(), e.rationale(), List.copyOf(e.support()), e.sources(), null));
        for (String s : e.sources()) {
            walk(s, depth + 1, edits, nodeOfEdit, visited, out);
        }
    }

    /** The patch an analyst's edit belongs to: its id up to the last '#'. */
    public static String patchOf(String editId) {
        int hash = editId.lastIndexOf('#');
        return hash < 0 ? editId : editId.substring(0, hash);
    }
}
