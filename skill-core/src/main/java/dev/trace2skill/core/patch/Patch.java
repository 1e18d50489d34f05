package dev.trace2skill.core.patch;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A skill patch p: edits proposed against the frozen S0, applied together.
 *
 * @param id    unique id (for analyst patches: run id + trajectory id + analyst kind)
 * @param edits the edits, applied as one
 */
public record Patch(String id, List<Edit> edits) {
    public Patch {
        edits = edits == null ? List.of() : List.copyOf(edits);
    }

    /** Union of the edits' support. */
    public SortedSet<String> support() {
        SortedSet<String> all = new TreeSet<>();
        edits.forEach(e -> all.addAll(e.support()));
        return all;
    }

    /** The same edits with ids {@code <patch id>#<n>} wherever an edit has none. */
    public Patch withEditIds() {
        List<Edit> out = new ArrayList<>(edits.size());
        for (int i = 0; i < edits.size(); i++) {
            Edit e = edits.get(i);
            out.add(e.id() == null || e.id().isBlank() ? e.withId(id + "#" + (i + 1)) : e);
        }
        return new Patch(id, out);
    }

    /** The same edits, each supported by the given trajectory (how an analyst's patch is labelled). */
    public Patch supportedBy(String trajectoryId) {
        return new Patch(id, edits.stream().map(e -> e.withSupport(List.of(trajectoryId))).toList());
    }
}
