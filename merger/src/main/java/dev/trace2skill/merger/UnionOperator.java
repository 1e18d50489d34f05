package dev.trace2skill.merger;

import dev.trace2skill.core.merge.EditDecision;
import dev.trace2skill.core.merge.HierarchicalMerge;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.NodeResult;
import dev.trace2skill.core.mining.TraceMiner;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;

import java.util.ArrayList;
import java.util.List;

/**
 * The offline engine's merge node: the miner's candidates are unioned, identical findings becoming one with the union of
 * their support; selection happens once, at the root, over the counted support.
 */
final class UnionOperator implements HierarchicalMerge.Operator {
    private final MergerMetrics metrics;

    UnionOperator(MergerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public NodeResult merge(MergeGroup group, List<Patch> inputs) {
        long start = System.nanoTime();
        Patch union = TraceMiner.union(group.nodeId(), inputs);
        List<EditDecision> decisions = new ArrayList<>();
        for (Edit e : union.edits()) {
            for (String source : e.sources()) {
                decisions.add(new EditDecision(source, e.sources().size() > 1 ? EditDecision.Action.MERGED : EditDecision.Action.KEPT,
                        e.id(), e.sources().size() > 1 ? "same finding as " + (e.sources().size() - 1) + " other(s): support unioned" : "unique finding"));
            }
        }
        metrics.node(group.level(), "union", 0, false);
        return new NodeResult(union, decisions, "union", 0, false, null, (System.nanoTime() - start) / 1_000_000);
    }
}
