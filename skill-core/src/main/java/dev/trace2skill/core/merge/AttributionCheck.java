package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Checks a merge operator's attributions. For every output edit the operator names the input edits it came from, and
 * the support is the union of theirs; here each named source must also <em>resemble</em> the output edit: the cosine
 * similarity of their texts ({@link TextEmbedder#text}) must reach the threshold. A source below it is rejected — its
 * support is not counted and the rejection is kept on the node — and an input edit all of whose attributions are
 * rejected is recorded as dropped. An output edit none of whose sources resembles it has no evidence and is dropped.
 *
 * <p>Applied to nodes a model merged ({@code engine = llm}); the deterministic and union merges attribute by
 * construction (identical or near-identical content).
 */
public final class AttributionCheck {
    private final TextEmbedder embedder;
    private final double threshold;

    public AttributionCheck(TextEmbedder embedder, double threshold) {
        this.embedder = embedder;
        this.threshold = threshold;
    }

    public double threshold() {
        return threshold;
    }

    /** An operator whose model-merged nodes are checked. */
    public HierarchicalMerge.Operator around(HierarchicalMerge.Operator operator) {
        return (group, inputs) -> {
            NodeResult r = operator.merge(group, inputs);
            return "llm".equals(r.engine()) ? check(r, inputs) : r;
        };
    }

    public NodeResult check(NodeResult result, List<Patch> inputs) {
        Map<String, Edit> inputEdits = new LinkedHashMap<>();
        for (Patch p : inputs) {
            for (Edit e : p.withEditIds().edits()) {
                inputEdits.put(e.id(), e);
            }
        }
        List<Edit> outputs = result.output().edits();
        List<String> texts = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (Edit e : outputs) {
            index.put("out\n" + e.id(), texts.size());
            texts.add(TextEmbedder.text(e));
        }
        for (Edit e : inputEdits.values()) {
            index.put("in\n" + e.id(), texts.size());
            texts.add(TextEmbedder.text(e));
        }
        List<float[]> vectors = texts.isEmpty() ? List.of() : embedder.embed(texts);

        List<Edit> kept = new ArrayList<>();
        List<Attribution> rejected = new ArrayList<>(result.rejectedAttributions());
        Map<String, List<Attribution>> rejectedBySource = new LinkedHashMap<>();
        Set<String> acceptedSources = new LinkedHashSet<>();
        Set<String> droppedOutputs = new LinkedHashSet<>();
        for (Edit out : outputs) {
            List<String> accepted = new ArrayList<>();
            for (String source : out.sources()) {
                Edit in = inputEdits.get(source);
                if (in == null) {
                    continue;
                }
                double sim = TextEmbedder.cosine(vectors.get(index.get("out\n" + out.id())), vectors.get(index.get("in\n" + source)));
                if (sim + 1e-9 >= threshold) {
                    accepted.add(source);
                } else {
                    Attribution a = new Attribution(out.id(), source, round(sim), threshold);
                    rejected.add(a);
                    rejectedBySource.computeIfAbsent(source, k -> new ArrayList<>()).add(a);
                }
            }
            if (accepted.isEmpty()) {
                droppedOutputs.add(out.id());
                continue;
            }
            acceptedSources.addAll(accepted);
            SortedSet<String> support = new TreeSet<>();
            accepted.forEach(s -> support.addAll(inputEdits.get(s).support()));
            kept.add(out.withSupport(support).withSources(accepted));
        }
        if (rejected.size() == result.rejectedAttributions().size()) {
            return result;
        }
        List<EditDecision> decisions = new ArrayList<>();
        Set<String> decided = new LinkedHashSet<>();
        for (EditDecision d : result.decisions()) {
            boolean intoDropped = d.into() != null && droppedOutputs.contains(d.into());
            boolean rejectedHere = d.into() != null && rejectedBySource.getOrDefault(d.edit(), List.of()).stream()
                    .anyMatch(a -> a.edit().equals(d.into()));
            if (intoDropped || rejectedHere) {
                continue;
            }
            decisions.add(d);
            decided.add(d.edit());
        }
        for (Map.Entry<String, List<Attribution>> e : rejectedBySource.entrySet()) {
            if (!acceptedSources.contains(e.getKey()) && !decided.contains(e.getKey())) {
                decisions.add(EditDecision.dropped(e.getKey(), "attribution rejected: the merge operator named it as a source of "
                        + String.join(", ", e.getValue().stream().map(a -> a.edit() + " (similarity " + format(a.similarity())
                        + " < " + format(threshold) + ")").toList()) + ", which does not resemble it"));
                decided.add(e.getKey());
            }
        }
        for (EditDecision d : result.decisions()) {
            if (!decided.contains(d.edit()) && d.into() != null && droppedOutputs.contains(d.into())) {
                decisions.add(EditDecision.dropped(d.edit(), "attribution rejected: " + d.into()
                        + " resembles none of the sources the merge operator named, so it was dropped"));
                decided.add(d.edit());
            }
        }
        return new NodeResult(new Patch(result.output().id(), kept), decisions, result.engine(), result.repairs(), result.fallback(),
                result.usage(), result.latencyMillis(), rejected, result.promptVersion());
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    static String format(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
