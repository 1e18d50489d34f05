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
 * group, where duplicates and conflicts actually meet. Two orders:
 * <ul>
 *   <li>{@link #bySections}: patches keyed by the set of (file, section) they edit, sorted by that key, then by id;</li>
 *   <li>{@link #bySimilarity}: by what the edits say: each patch is the mean of its edits' embeddings, groups of B
 *       are formed greedily around the most similar patches, and the groups are chained so that similar groups sit
 *       next to each other for the higher levels.</li>
 * </ul>
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

    /**
     * How many candidates the similarity order compares at each step: the patches left for a group's next member, the
     * groups left for the chain's next group. A pool within it is searched exhaustively; a larger one in the order of
     * {@link #candidateOrder}, where alike patches sit close, so the cost grows as |P|·window instead of |P|².
     */
    public static final int SEARCH_WINDOW = 512;

    public static List<Patch> bySimilarity(List<Patch> pool, int branching, TextEmbedder embedder) {
        return bySimilarity(pool, branching, embedder, SEARCH_WINDOW);
    }

    /**
     * Orders the pool by the similarity of the patches' edits. Starting from the section order, each level-1 group
     * (with the sizes {@link MergePlan} will cut: ⌈n/B⌉ groups differing by at most one) takes the first patch not yet
     * placed and then, one by one, the patch most similar to the group so far (cosine with the sum of its members'
     * mean edit embeddings) among the first {@code window} left. The groups of each size are then chained, each
     * followed by the most similar of the first {@code window} groups left, so that similar groups also meet at the
     * next level. Patches without edits go last.
     */
    public static List<Patch> bySimilarity(List<Patch> pool, int branching, TextEmbedder embedder, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the search window must be at least 1, not " + window);
        }
        List<Patch> base = bySections(pool);
        int n = base.size();
        if (n <= 2 || branching < 2 || n <= branching) {
            return base;
        }
        float[][] vectors = patchVectors(base, embedder);
        Remaining remaining = new Remaining(candidateOrder(vectors, window));
        int groupCount = (n + branching - 1) / branching;
        int size = n / groupCount;
        int larger = n % groupCount;
        List<List<Integer>> groups = new ArrayList<>();
        List<float[]> centroids = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            int want = size + (g < larger ? 1 : 0);
            List<Integer> group = new ArrayList<>(List.of(remaining.take(remaining.first())));
            float[] sum = vectors[group.get(0)] == null ? null : vectors[group.get(0)].clone();
            while (group.size() < want) {
                int chosen = remaining.take(remaining.mostSimilar(sum, vectors, window));
                group.add(chosen);
                if (sum != null && vectors[chosen] != null) {
                    add(sum, vectors[chosen]);
                }
            }
            groups.add(group);
            centroids.add(sum == null ? null : normalise(sum));
        }
        float[][] groupVectors = centroids.toArray(new float[0][]);
        List<Patch> out = new ArrayList<>(n);
        for (int[] block : List.of(range(0, larger), range(larger, groupCount))) {
            for (int g : chain(block, groupVectors, window)) {
                groups.get(g).forEach(i -> out.add(base.get(i)));
            }
        }
        return out;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = from; i < to; i++) {
            r[i - from] = i;
        }
        return r;
    }

    /** The groups in nearest-neighbour order from the first one, each chosen among the first {@code window} left. */
    private static List<Integer> chain(int[] groups, float[][] centroids, int window) {
        List<Integer> out = new ArrayList<>();
        if (groups.length == 0) {
            return out;
        }
        Remaining left = new Remaining(groups);
        int current = left.take(left.first());
        out.add(current);
        while (!left.isEmpty()) {
            current = left.take(left.mostSimilar(centroids[current], centroids, window));
            out.add(current);
        }
        return out;
    }

    /**
     * The order in which patches are candidates: those with edits, then those without, in section order. When more
     * than one window of patches has edits, they are first bucketed around anchors ({@link #sortAroundAnchors}).
     */
    static int[] candidateOrder(float[][] vectors, int window) {
        List<Integer> withEdits = new ArrayList<>();
        List<Integer> empty = new ArrayList<>();
        for (int i = 0; i < vectors.length; i++) {
            (vectors[i] == null ? empty : withEdits).add(i);
        }
        if (withEdits.size() > window + 1) {
            sortAroundAnchors(withEdits, vectors);
        }
        withEdits.addAll(empty);
        return withEdits.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Sorts patches into buckets around ⌈√m⌉ anchors chosen farthest first (the first patch, then each time the patch
     * least like all anchors so far, so that every distinct lesson gets an anchor of its own before any lesson gets
     * two): each patch goes to its most similar anchor, the buckets follow the anchors' order, and within a bucket the
     * patches most like its anchor come first (cost m·√m cosines). Patches that say the same thing share an anchor, so
     * they sit within one window of each other even when analysts put them in different sections.
     */
    private static void sortAroundAnchors(List<Integer> patches, float[][] vectors) {
        int anchorCount = (int) Math.ceil(Math.sqrt(patches.size()));
        int[] anchorOf = new int[vectors.length];
        double[] closeness = new double[vectors.length];
        java.util.Arrays.fill(closeness, Double.NEGATIVE_INFINITY);
        int anchor = patches.get(0);
        for (int a = 0; a < anchorCount; a++) {
            int next = -1;
            double least = Double.POSITIVE_INFINITY;
            for (int i : patches) {
                double sim = TextEmbedder.cosine(vectors[anchor], vectors[i]);
                if (sim > closeness[i]) {
                    closeness[i] = sim;
                    anchorOf[i] = a;
                }
                if (closeness[i] < least) {
                    least = closeness[i];
                    next = i;
                }
            }
            anchor = next;
        }
        patches.sort(Comparator.comparingInt((Integer i) -> anchorOf[i])
                .thenComparing(i -> -closeness[i])
                .thenComparingInt(i -> i));
    }

    /** Indices not yet placed, in candidate order; taking one is O(1) (a doubly linked list over the positions, -1 its end). */
    private static final class Remaining {
        private final int[] items;
        private final int[] next;
        private final int[] prev;
        private int head;

        Remaining(int[] items) {
            this.items = items;
            int n = items.length;
            next = new int[n];
            prev = new int[n];
            for (int k = 0; k < n; k++) {
                next[k] = k + 1 < n ? k + 1 : -1;
                prev[k] = k - 1;
            }
            head = n == 0 ? -1 : 0;
        }

        boolean isEmpty() {
            return head < 0;
        }

        /** The position of the first index left. */
        int first() {
            return head;
        }

        /**
         * The position, among the first {@code window} left, of the index whose vector is most similar to {@code to}
         * (the first on ties, and the first left when there is nothing to compare with: {@code to} is null).
         */
        int mostSimilar(float[] to, float[][] vectors, int window) {
            int best = head;
            double bestSim = Double.NEGATIVE_INFINITY;
            int seen = 0;
            for (int k = head; to != null && k >= 0 && seen < window; k = next[k], seen++) {
                float[] v = vectors[items[k]];
                double sim = v == null ? -2 : TextEmbedder.cosine(to, v);
                if (sim > bestSim) {
                    bestSim = sim;
                    best = k;
                }
            }
            return best;
        }

        /** Removes the index at {@code position} and returns it. */
        int take(int position) {
            int p = prev[position];
            int q = next[position];
            if (p >= 0) {
                next[p] = q;
            } else {
                head = q;
            }
            if (q >= 0) {
                prev[q] = p;
            }
            return items[position];
        }
    }

    /** The normalised mean embedding of each patch's edits (null for a patch without edits). */
    static float[][] patchVectors(List<Patch> patches, TextEmbedder embedder) {
        List<String> texts = new ArrayList<>();
        for (Patch p : patches) {
            p.edits().forEach(e -> texts.add(TextEmbedder.text(e)));
        }
        List<float[]> v = texts.isEmpty() ? List.of() : embedder.embed(texts);
        float[][] out = new float[patches.size()][];
        int k = 0;
        for (int i = 0; i < patches.size(); i++) {
            float[] sum = null;
            for (int j = 0; j < patches.get(i).edits().size(); j++) {
                float[] e = v.get(k++);
                if (sum == null) {
                    sum = e.clone();
                } else {
                    add(sum, e);
                }
            }
            out[i] = sum == null ? null : normalise(sum);
        }
        return out;
    }

    private static void add(float[] sum, float[] v) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += v[i];
        }
    }

    /** {@code v} scaled to unit length (all zeros stays all zeros), so that a dot product is the cosine. */
    public static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = n == 0 ? 0 : (float) (v[i] / n);
        }
        return out;
    }

    /**
     * How well an order brings duplicates together: of the pairs of edits from different patches whose texts are at
     * least {@code duplicate} alike (what a merge operator should fold into one), how many share a level-1 group,
     * where the first merge can fold them.
     *
     * @param pairs          duplicate pairs in the pool
     * @param metAtLevel1    of those, pairs whose patches are in the same level-1 group
     */
    public record DuplicateMeetings(int pairs, int metAtLevel1) {
        public double fraction() {
            return pairs == 0 ? 0 : (double) metAtLevel1 / pairs;
        }
    }

    public static DuplicateMeetings duplicateMeetings(List<Patch> ordered, int branching, TextEmbedder embedder, double duplicate) {
        List<String> texts = new ArrayList<>();
        List<Integer> patchOf = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            for (var e : ordered.get(i).edits()) {
                texts.add(TextEmbedder.text(e));
                patchOf.add(i);
            }
        }
        List<float[]> v = texts.isEmpty() ? List.of() : embedder.embed(texts);
        int[] groupOf = new int[ordered.size()];
        if (ordered.size() > 1) {
            List<MergeGroup> level1 = MergePlan.of(ordered.stream().map(Patch::id).toList(), branching).level(1);
            int at = 0;
            for (MergeGroup g : level1) {
                for (int k = 0; k < g.inputs().size(); k++) {
                    groupOf[at++] = g.index();
                }
            }
        }
        int pairs = 0;
        int met = 0;
        for (int a = 0; a < v.size(); a++) {
            for (int b = a + 1; b < v.size(); b++) {
                if (!patchOf.get(a).equals(patchOf.get(b)) && TextEmbedder.cosine(v.get(a), v.get(b)) >= duplicate) {
                    pairs++;
                    if (groupOf[patchOf.get(a)] == groupOf[patchOf.get(b)]) {
                        met++;
                    }
                }
            }
        }
        return new DuplicateMeetings(pairs, met);
    }
}
