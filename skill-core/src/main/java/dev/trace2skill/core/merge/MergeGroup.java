package dev.trace2skill.core.merge;

import java.util.List;

/**
 * One merge node M(π, S0, {p1..pk}): the inputs of one group at one level, and the id of the node it produces.
 *
 * @param level  1-based merge level
 * @param index  0-based position within the level
 * @param nodeId id of the produced node, {@code L<level>.G<index>}
 * @param inputs ids of the input nodes (patch ids at level 1)
 */
public record MergeGroup(int level, int index, String nodeId, List<String> inputs) {
    public MergeGroup {
        inputs = List.copyOf(inputs);
    }

    /** A group of one input passes it on unchanged: no merge call is needed. */
    public boolean passThrough() {
        return inputs.size() == 1;
    }

    public static String nodeId(int level, int index) {
        return "L" + level + ".G" + index;
    }
}
