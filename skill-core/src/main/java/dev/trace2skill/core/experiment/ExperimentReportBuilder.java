package dev.trace2skill.core.experiment;

import dev.trace2skill.core.eval.Condition;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.Prices;
import dev.trace2skill.core.eval.Report;
import dev.trace2skill.core.eval.ReportBuilder;
import dev.trace2skill.core.stats.Interval;
import dev.trace2skill.core.stats.Proportion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link ExperimentReport} from stored episodes: Stage 1's episodes of each round, and the test episodes of
 * every round pooled (round r's S0 is round r−1's S*, measured once on the same D_test, task and seed). Pairs are
 * (task, seed) of one skill-user model; an episode that could not complete is left out of rates and pairs.
 */
public final class ExperimentReportBuilder {
    public static final String S_STAR_VS_S0 = "S* − S0";
    public static final String S_STAR_VS_NO_SKILL = "S* − no skill";
    public static final String LAST_VS_FIRST = "last S* − first S0";

    private ExperimentReportBuilder() {
    }

    /**
     * What the experiment knows about one round.
     *
     * @param s0     the round's S0 ({@code name@version})
     * @param sStar  its S*, or null while not registered
     * @param runId  the evolution run, or null before it started
     * @param stage1 the round's Stage 1 episodes (author model, S0, D_evolve)
     */
    public record RoundFacts(int round, String s0, String sStar, String runId, List<Episode> stage1) {
    }

    /**
     * @param author the Stage 1 model
     * @param users  the skill-user models of the test stage, in request order
     */
    public record Facts(String author, TaskSplit split, List<String> users, List<RoundFacts> rounds) {
    }

    public static ExperimentReport build(Facts facts, Collection<Episode> testEpisodes, Prices prices) {
        Map<String, List<Episode>> byCondition = new LinkedHashMap<>();
        for (Episode e : testEpisodes) {
            if (e.condition().removedSection() == null) {
                byCondition.computeIfAbsent(e.condition().key(), k -> new ArrayList<>()).add(e);
            }
        }
        List<ExperimentReport.Round> rounds = new ArrayList<>();
        for (RoundFacts r : facts.rounds()) {
            rounds.add(new ExperimentReport.Round(r.round(), r.s0(), r.sStar(), r.runId(),
                    r.stage1() == null || r.stage1().isEmpty() ? null : rate(r.s0(), "S0", facts.author(), r.stage1(), prices)));
        }
        // the skills in the order the method introduces them: S0 of round 1, then each round's S*
        Map<String, String> roles = new LinkedHashMap<>();
        if (!facts.rounds().isEmpty()) {
            roles.put(facts.rounds().get(0).s0(), "S0");
        }
        for (RoundFacts r : facts.rounds()) {
            if (r.sStar() != null) {
                roles.putIfAbsent(r.sStar(), "S* round " + r.round());
            }
        }
        List<ExperimentReport.User> users = new ArrayList<>();
        List<ExperimentReport.MatrixCell> matrix = new ArrayList<>();
        for (String model : facts.users()) {
            List<ExperimentReport.Rate> rates = new ArrayList<>();
            List<Episode> none = byCondition.get(Condition.noSkill(model).key());
            if (none != null) {
                rates.add(rate(Condition.noSkill(model).label(), "no skill", model, none, prices));
            }
            roles.forEach((skill, role) -> {
                List<Episode> mine = byCondition.get(new Condition(skill, model, null).key());
                if (mine != null) {
                    rates.add(rate(skill, role, model, mine, prices));
                }
            });
            List<ExperimentReport.Delta> deltas = new ArrayList<>();
            for (RoundFacts r : facts.rounds()) {
                if (r.sStar() == null) {
                    continue;
                }
                List<Episode> star = episodes(byCondition, r.sStar(), model);
                if (star == null) {
                    continue;
                }
                List<Episode> s0 = episodes(byCondition, r.s0(), model);
                if (s0 != null) {
                    deltas.add(delta(r.round(), S_STAR_VS_S0, r.sStar(), star, r.s0(), s0, model));
                }
                if (none != null) {
                    deltas.add(delta(r.round(), S_STAR_VS_NO_SKILL, r.sStar(), star, Condition.noSkill(model).label(), none, model));
                }
            }
            RoundFacts first = facts.rounds().isEmpty() ? null : facts.rounds().get(0);
            RoundFacts last = lastTested(facts.rounds(), byCondition, model);
            if (first != null && last != null && last.round() > first.round()) {
                List<Episode> s0 = episodes(byCondition, first.s0(), model);
                if (s0 != null) {
                    deltas.add(delta(0, LAST_VS_FIRST, last.sStar(), episodes(byCondition, last.sStar(), model), first.s0(), s0, model));
                }
            }
            users.add(new ExperimentReport.User(model, rates, deltas));
            if (first != null && last != null) {
                ExperimentReport.Delta vsS0 = find(deltas, last.sStar(), first.s0());
                ExperimentReport.Delta vsNone = find(deltas, last.sStar(), Condition.noSkill(model).label());
                if (vsS0 != null || vsNone != null) {
                    matrix.add(new ExperimentReport.MatrixCell(facts.author(), model, last.sStar(),
                            vsS0 == null ? null : vsS0.delta(), vsS0 == null ? null : vsS0.deltaLow(), vsS0 == null ? null : vsS0.deltaHigh(),
                            vsNone == null ? null : vsNone.delta(), vsNone == null ? null : vsNone.deltaLow(),
                            vsNone == null ? null : vsNone.deltaHigh(), vsS0 != null ? vsS0.pairs() : vsNone.pairs()));
                }
            }
        }
        TaskSplit s = facts.split();
        return new ExperimentReport(facts.author(), s == null ? null : new ExperimentReport.Split(s.seed(), s.evolve().size(), s.test().size()),
                rounds, users, matrix.isEmpty() ? null : matrix);
    }

    private static List<Episode> episodes(Map<String, List<Episode>> byCondition, String skill, String model) {
        return byCondition.get(new Condition(skill, model, null).key());
    }

    /** The last round whose S* was tested with this model. */
    private static RoundFacts lastTested(List<RoundFacts> rounds, Map<String, List<Episode>> byCondition, String model) {
        RoundFacts last = null;
        for (RoundFacts r : rounds) {
            if (r.sStar() != null && episodes(byCondition, r.sStar(), model) != null) {
                last = r;
            }
        }
        return last;
    }

    private static ExperimentReport.Delta find(List<ExperimentReport.Delta> deltas, String treatment, String baseline) {
        return deltas.stream().filter(d -> d.treatment().equals(treatment) && d.baseline().equals(baseline)).findFirst().orElse(null);
    }

    private static ExperimentReport.Delta delta(int round, String kind, String treatmentLabel, List<Episode> treatment, String baselineLabel,
                                                List<Episode> baseline, String model) {
        Report.Comparison c = ReportBuilder.compare(treatmentLabel, treatment, baselineLabel, baseline, model);
        return new ExperimentReport.Delta(round, kind, treatmentLabel, baselineLabel, c.pairs(), c.delta(), c.deltaLow(), c.deltaHigh(),
                c.mcnemarP(), c.onlyTreatment(), c.onlyBaseline(), c.tokenChange());
    }

    static ExperimentReport.Rate rate(String condition, String role, String model, List<Episode> episodes, Prices prices) {
        List<Episode> scored = episodes.stream().filter(e -> e.status() != Episode.Status.ERROR).toList();
        int successes = (int) scored.stream().filter(e -> e.status() == Episode.Status.CORRECT).count();
        Interval ci = new Proportion(successes, scored.size()).wilson(0.95);
        long prompt = episodes.stream().mapToLong(Episode::promptTokens).sum();
        long completion = episodes.stream().mapToLong(Episode::completionTokens).sum();
        return new ExperimentReport.Rate(condition, role, model, scored.size(), episodes.size() - scored.size(), successes,
                scored.isEmpty() ? null : (double) successes / scored.size(), ci.low(), ci.high(),
                scored.stream().mapToLong(Episode::tokens).average().orElse(0), prompt + completion, prices.cost(model, prompt, completion));
    }
}
