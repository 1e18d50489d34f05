package dev.trace2skill.core.merge;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The hierarchical merge tree for |P| patches and branching B (Trace2Skill §2.4): L = ⌈log_B |P|⌉ levels; at each
 * level the nodes of the level below are split, in order, into ⌈n/B⌉ groups whose sizes differ by at most one.
 * After k levels ⌈|P|/B^k⌉ nodes remain, so exactly L levels reach a single root.
 */
public final class MergePlan {
    private final List<String> leaves;
    private final int branching;
    private final List<List<MergeGroup>> levels;

    private MergePlan(List<String> leaves, int branching, List<List<MergeGroup>> levels) {
        this.leaves = leaves;
        this.branching = branching;
        this.levels = levels;
    }

    /**
     * @param patchIds  the pool P, in the order groups should be formed (similar patches next to each other)
     * @param branching B ≥ 2
     */
    public static MergePlan of(List<String> patchIds, int branching) {
        if (branching < 2) {
            throw new IllegalArgumentException("branching must be at least 2, is " + branching);
        }
        if (patchIds.isEmpty()) {
            throw new IllegalArgumentException("there is no patch to merge");
        }
        if (new LinkedHashSet<>(patchIds).size() != patchIds.size()) {
            throw new IllegalArgumentException("patch ids must be distinct");
        }
        List<List<MergeGroup>> levels = new ArrayList<>();
        List<String> current = List.copyOf(patchIds);
        int level = 1;
        while (current.size() > 1) {
            int n = current.size();
            int groups = (n + branching - 1) / branching;
            int base = n / groups;
            int larger = n % groups;
            List<MergeGroup> row = new ArrayList<>(groups);
            List<String> next = new ArrayList<>(groups);
            int at = 0;
            for (int g = 0; g < groups; g++) {
                int size = base + (g < larger ? 1 : 0);
                String id = MergeGroup.nodeId(level, g);
                row.add(new MergeGroup(level, g, id, current.subList(at, at + size)));
                next.add(id);
                at += size;
            }
            levels.add(List.copyOf(row));
            current = next;
            level++;
        }
        return new MergePlan(List.copyOf(patchIds), branching, List.copyOf(levels));
    }

    /** L = ⌈log_B |P|⌉, computed with integers: the least k with B^k ≥ |P|. */
    public static int depth(int patchCount, int branching) {
        int k = 0;
        long reach = 1;
        while (reach < patchCount) {
            reach *= branching;
            k++;
        }
        return k;
    }

    public int depth() {
        return levels.size();
    }

    public int branching() {
        return branching;
    }

    public List<String> leaves() {
        return leaves;
    }

    /** Level {@code l} (1-based). */
    public List<MergeGroup> level(int l) {
        return levels.get(l - 1);
    }

    public List<List<MergeGroup>> levels() {
        return levels;
    }

    /** The id of the final node p*: the single leaf when |P| = 1. */
    public String rootId() {
        return levels.isEmpty() ? leaves.get(0) : levels.get(levels.size() - 1).get(0).nodeId();
    }

    public List<MergeGroup> groups() {
        return levels.stream().flatMap(List::stream).toList();
    }

    /** The patch ids under a node (the node itself when it is a leaf). */
    public Set<String> leavesUnder(String nodeId) {
        Set<String> out = new LinkedHashSet<>();
        collect(nodeId, out);
        return out;
    }

    private void collect(String nodeId, Set<String> out) {
        for (MergeGroup g : groups()) {
            if (g.nodeId().equals(nodeId)) {
                g.inputs().forEach(i -> collect(i, out));
                return;
            }
        }
        out.add(nodeId);
    }

    /** Support of a node: the union of its inputs' support, down to the leaves. */
    public SortedSet<String> support(String nodeId, Map<String, ? extends Collection<String>> leafSupport) {
        SortedSet<String> out = new TreeSet<>();
        for (String leaf : leavesUnder(nodeId)) {
            Collection<String> s = leafSupport.get(leaf);
            if (s != null) {
                out.addAll(s);
            }
        }
        return out;
    }
}
