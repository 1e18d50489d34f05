package dev.trace2skill.core.eval;

import dev.trace2skill.core.stats.Interval;
import dev.trace2skill.core.stats.PairedComparison;
import dev.trace2skill.core.stats.Proportion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds a {@link Report} from stored episodes: rates with Wilson intervals; for each skill condition, the paired
 * comparison with the no-skill condition of the same model on the (task, seed) pairs both completed (bootstrap
 * interval of the difference, McNemar's exact test); tokens and cost; the author × user matrix; section ablations.
 */
public final class ReportBuilder {
    public static final long BOOTSTRAP_SEED = 20261122L;

    private ReportBuilder() {
    }

    /**
     * @param authors skill → the model that authored it (for the matrix), may be empty
     */
    public static Report build(Collection<Episode> episodes, Prices prices, Map<String, String> authors) {
        return build(episodes, prices, authors, List.of());
    }

    /**
     * @param compare pairs of [treatment, baseline] skills ({@code name@version}, or {@code "none"} for no skill) to
     *                compare head to head, for every model that ran both
     */
    public static Report build(Collection<Episode> episodes, Prices prices, Map<String, String> authors, List<List<String>> compare) {
        Map<String, List<Episode>> byCondition = new LinkedHashMap<>();
        Map<String, Condition> conditions = new LinkedHashMap<>();
        for (Episode e : episodes) {
            byCondition.computeIfAbsent(e.condition().key(), k -> new ArrayList<>()).add(e);
            conditions.putIfAbsent(e.condition().key(), e.condition());
        }
        List<Report.ConditionResult> results = new ArrayList<>();
        List<Report.Ablation> ablations = new ArrayList<>();
        Map<String, double[]> matrix = new TreeMap<>();
        for (Map.Entry<String, Condition> entry : conditions.entrySet()) {
            Condition c = entry.getValue();
            List<Episode> mine = byCondition.get(entry.getKey());
            if (c.removedSection() != null) {
                Condition full = new Condition(c.skill(), c.model(), null);
                List<Episode> fullEpisodes = byCondition.get(full.key());
                if (fullEpisodes != null) {
                    Paired p = pair(fullEpisodes, mine);
                    if (p.n() > 0) {
                        Interval ci = p.cmp().bootstrapDelta(BOOTSTRAP_SEED);
                        // marginal effect of the section = full skill − skill without it
                        ablations.add(new Report.Ablation(c.skill(), c.model(), c.removedSection(), p.n(), -p.cmp().delta(),
                                -ci.high(), -ci.low(), p.cmp().mcnemarExactP()));
                    }
                }
            }
            results.add(result(c, mine, c.skill() == null ? null : byCondition.get(Condition.noSkill(c.model()).key()), prices));
        }
        for (Report.ConditionResult r : results) {
            if (r.skill() != null && r.delta() != null && authors.containsKey(r.skill()) && !r.label().contains("§")) {
                String key = authors.get(r.skill()) + "\n" + r.model();
                double[] acc = matrix.computeIfAbsent(key, k -> new double[2]);
                acc[0] += r.delta() * r.pairs();
                acc[1] += r.pairs();
            }
        }
        List<Report.MatrixCell> cells = new ArrayList<>();
        matrix.forEach((k, v) -> cells.add(new Report.MatrixCell(k.split("\n")[0], k.split("\n")[1], v[1] == 0 ? 0 : v[0] / v[1], (int) v[1])));
        List<Report.Comparison> comparisons = new ArrayList<>();
        for (List<String> pair : compare) {
            String treatment = NONE.equals(pair.get(0)) ? null : pair.get(0);
            String baseline = NONE.equals(pair.get(1)) ? null : pair.get(1);
            for (String model : models(conditions.values())) {
                List<Episode> t = byCondition.get(new Condition(treatment, model, null).key());
                List<Episode> b = byCondition.get(new Condition(baseline, model, null).key());
                if (t != null && b != null) {
                    comparisons.add(compare(label(treatment), t, label(baseline), b, model));
                }
            }
        }
        return new Report(results, cells.isEmpty() ? null : cells, ablations.isEmpty() ? null : ablations,
                comparisons.isEmpty() ? null : comparisons);
    }

    /** How a request names the no-skill condition in a comparison. */
    public static final String NONE = "none";

    private static String label(String skill) {
        return skill == null ? Condition.noSkill("").label() : skill;
    }

    private static List<String> models(Collection<Condition> conditions) {
        return conditions.stream().map(Condition::model).distinct().toList();
    }

    /**
     * Compares two conditions' episodes paired on (task, seed), leaving out pairs where either could not complete:
     * the difference in success rate with its paired bootstrap interval ({@link #BOOTSTRAP_SEED}), McNemar's exact
     * p-value, the discordant counts and the change in tokens per task.
     */
    public static Report.Comparison compare(String treatmentLabel, List<Episode> treatment, String baselineLabel, List<Episode> baseline,
                                            String model) {
        Paired p = pair(baseline, treatment);
        if (p.n() == 0) {
            return new Report.Comparison(treatmentLabel, baselineLabel, model, 0, null, null, null, null, 0, 0, null);
        }
        Interval ci = p.cmp().bootstrapDelta(BOOTSTRAP_SEED);
        return new Report.Comparison(treatmentLabel, baselineLabel, model, p.n(), p.cmp().delta(), ci.low(), ci.high(),
                p.cmp().mcnemarExactP(), p.cmp().onlyTreatment(), p.cmp().onlyBaseline(), p.tokenChange());
    }

    private static Report.ConditionResult result(Condition c, List<Episode> mine, List<Episode> baseline, Prices prices) {
        List<Episode> scored = mine.stream().filter(e -> e.status() != Episode.Status.ERROR).toList();
        int errors = mine.size() - scored.size();
        int successes = (int) scored.stream().filter(e -> e.status() == Episode.Status.CORRECT).count();
        Proportion rate = new Proportion(successes, scored.size());
        Interval ci = rate.wilson(0.95);
        double meanTokens = scored.isEmpty() ? 0 : scored.stream().mapToLong(Episode::tokens).average().orElse(0);
        long prompt = mine.stream().mapToLong(Episode::promptTokens).sum();
        long completion = mine.stream().mapToLong(Episode::completionTokens).sum();
        Double cost = prices.cost(c.model(), prompt, completion);
        Integer pairs = null;
        Double delta = null;
        Double low = null;
        Double high = null;
        Double p = null;
        Double tokenChange = null;
        String baselineLabel = null;
        if (baseline != null && c.removedSection() == null) {
            Paired paired = pair(baseline, mine);
            baselineLabel = Condition.noSkill(c.model()).label();
            pairs = paired.n();
            if (paired.n() > 0) {
                Interval d = paired.cmp().bootstrapDelta(BOOTSTRAP_SEED);
                delta = paired.cmp().delta();
                low = d.low();
                high = d.high();
                p = paired.cmp().mcnemarExactP();
                tokenChange = paired.tokenChange();
            }
        }
        return new Report.ConditionResult(c.skill(), c.model(), c.label(), scored.size(), errors, successes,
                scored.isEmpty() ? Double.NaN : rate.rate(), ci.low(), ci.high(), baselineLabel, pairs, delta, low, high, p,
                meanTokens, tokenChange, cost);
    }

    private record Paired(PairedComparison cmp, int n, Double tokenChange) {
    }

    /** Pairs the two conditions' episodes on (task, seed), leaving out pairs where either could not complete. */
    private static Paired pair(List<Episode> baseline, List<Episode> treatment) {
        Map<String, Episode> base = new LinkedHashMap<>();
        baseline.stream().filter(e -> e.status() != Episode.Status.ERROR).forEach(e -> base.put(e.pairKey(), e));
        List<boolean[]> rows = new ArrayList<>();
        double tokenDiff = 0;
        for (Episode t : treatment) {
            Episode b = base.get(t.pairKey());
            if (b != null && t.status() != Episode.Status.ERROR) {
                rows.add(new boolean[]{b.status() == Episode.Status.CORRECT, t.status() == Episode.Status.CORRECT});
                tokenDiff += t.tokens() - b.tokens();
            }
        }
        boolean[] bs = new boolean[rows.size()];
        boolean[] ts = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            bs[i] = rows.get(i)[0];
            ts[i] = rows.get(i)[1];
        }
        return new Paired(new PairedComparison(bs, ts), rows.size(), rows.isEmpty() ? null : tokenDiff / rows.size());
    }

    static boolean same(Object a, Object b) {
        return Objects.equals(a, b);
    }
}
