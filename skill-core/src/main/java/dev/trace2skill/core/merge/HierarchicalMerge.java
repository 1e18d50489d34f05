package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Runs a {@link MergePlan} level by level. The groups of one level are merged in parallel (at most
 * {@code concurrency} at once); every node's result is saved before the next level starts, and a node already saved
 * is loaded rather than merged again — so a merge stopped between or during levels resumes at the first unfinished
 * node and, since finished nodes are reused as they were, reaches the same p*.
 */
public final class HierarchicalMerge {

    /** Merges one group of patches into one. */
    public interface Operator {
        NodeResult merge(MergeGroup group, List<Patch> inputs);
    }

    /** Where node results persist. */
    public interface NodeStore {
        Optional<NodeResult> load(String nodeId);

        void save(MergeGroup group, NodeResult result);
    }

    /** Told after every node. */
    public interface Progress {
        void nodeDone(MergeGroup group, NodeResult result, int nodesDone, int nodesTotal);
    }

    private final MergePlan plan;
    private final Operator operator;
    private final NodeStore store;
    private final int concurrency;
    private final Progress progress;

    public HierarchicalMerge(MergePlan plan, Operator operator, NodeStore store, int concurrency, Progress progress) {
        this.plan = plan;
        this.operator = operator;
        this.store = store;
        this.concurrency = Math.max(1, concurrency);
        this.progress = progress == null ? (g, r, d, t) -> { } : progress;
    }

    /** Merges the leaves and returns p*, the root's output (the single leaf itself when |P| = 1). */
    public Patch run(Map<String, Patch> leaves) {
        Map<String, Patch> outputs = new HashMap<>(leaves);
        int total = plan.groups().size();
        int[] done = {0};
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore slots = new Semaphore(concurrency);
            for (List<MergeGroup> level : plan.levels()) {
                List<CompletableFuture<Void>> running = new ArrayList<>();
                for (MergeGroup group : level) {
                    Optional<NodeResult> saved = store.load(group.nodeId());
                    if (saved.isPresent()) {
                        outputs.put(group.nodeId(), saved.get().output());
                        synchronized (done) {
                            done[0]++;
                        }
                        continue;
                    }
                    List<Patch> inputs = group.inputs().stream().map(outputs::get).toList();
                    running.add(CompletableFuture.runAsync(() -> {
                        slots.acquireUninterruptibly();
                        try {
                            NodeResult result = group.passThrough() ? passThrough(group, inputs.get(0)) : operator.merge(group, inputs);
                            store.save(group, result);
                            synchronized (outputs) {
                                outputs.put(group.nodeId(), result.output());
                            }
                            int n;
                            synchronized (done) {
                                n = ++done[0];
                            }
                            progress.nodeDone(group, result, n, total);
                        } finally {
                            slots.release();
                        }
                    }, executor));
                }
                try {
                    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        return outputs.get(plan.rootId());
    }

    /** A group of one: the patch moves up unchanged, each edit re-labelled as a node edit with its source. */
    static NodeResult passThrough(MergeGroup group, Patch input) {
        List<Edit> edits = new ArrayList<>();
        List<EditDecision> decisions = new ArrayList<>();
        Patch in = input.withEditIds();
        for (int i = 0; i < in.edits().size(); i++) {
            Edit e = in.edits().get(i);
            String id = group.nodeId() + "#" + (i + 1);
            edits.add(e.withId(id).withSources(List.of(e.id())));
            decisions.add(new EditDecision(e.id(), EditDecision.Action.KEPT, id, "only input of its group"));
        }
        return new NodeResult(new Patch(group.nodeId(), edits), decisions, "pass", 0, false, null, 0);
    }
}
