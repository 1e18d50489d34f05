package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.skill.Section;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Orders a patch pool so that similar patches sit next to each other and {@link MergePlan} puts them in the same
 * group: patches are keyed by the set of (file, section) they edit, and sorted by that key, then by id. Patches that
 * edit the same sections are then merged together, where duplicates and conflicts actually meet.
 */
public final class PatchOrder {
    private PatchOrder() {
    }

    /** The (file § section) places a patch edits, as a sorted set. */
    public static Set<String> places(Patch p) {
        Set<String> out = new TreeSet<>();
        for (Edit e : p.edits()) {
            out.add(e.path() + " § " + (e.targetSection() == null ? "(file)" : Section.normalizeTitle(e.targetSection())));
        }
        return out;
    }

    public static List<Patch> bySections(List<Patch> pool) {
        List<Patch> sorted = new ArrayList<>(pool);
        sorted.sort(Comparator.comparing((Patch p) -> String.join("|", places(p))).thenComparing(Patch::id));
        return sorted;
    }

    /** Mean number of distinct places edited per group of the plan's first level: lower means more focused groups. */
    public static double meanPlacesPerGroup(List<Patch> ordered, int branching) {
        if (ordered.isEmpty()) {
            return 0;
        }
        MergePlan plan = MergePlan.of(ordered.stream().map(Patch::id).toList(), branching);
        if (plan.depth() == 0) {
            return places(ordered.get(0)).size();
        }
        java.util.Map<String, Patch> byId = new java.util.HashMap<>();
        ordered.forEach(p -> byId.put(p.id(), p));
        double total = 0;
        for (MergeGroup g : plan.level(1)) {
            Set<String> s = new TreeSet<>();
            g.inputs().forEach(id -> s.addAll(places(byId.get(id))));
            total += s.size();
        }
        return total / plan.level(1).size();
    }
}
