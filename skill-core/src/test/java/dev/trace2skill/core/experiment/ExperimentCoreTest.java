package dev.trace2skill.core.experiment;

import dev.trace2skill.core.eval.Condition;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.Prices;
import dev.trace2skill.core.eval.Report;
import dev.trace2skill.core.eval.ReportBuilder;
import dev.trace2skill.core.eval.ReportRendering;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ExperimentCoreTest {
    static List<Task> pool(int n) {
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Task("t-" + i, "question " + i, Integer.toString(i), "gsm8k", null));
        }
        return out;
    }

    @Test
    void theSplitIsDisjointCoversWhatWasAskedAndDependsOnlyOnTheIdsAndTheSeed() {
        List<Task> tasks = pool(50);
        TaskSplit a = TaskSplit.of(tasks, 20, 20, 7);
        assertThat(a.evolve()).hasSize(20).doesNotHaveDuplicates();
        assertThat(a.test()).hasSize(20).doesNotHaveDuplicates();
        assertThat(a.evolve()).doesNotContainAnyElementsOf(a.test());
        // stable: same seed, same split, whatever order the pool was listed in
        List<Task> shuffled = new ArrayList<>(tasks);
        Collections.shuffle(shuffled, new java.util.Random(99));
        TaskSplit b = TaskSplit.of(shuffled, 20, 20, 7);
        assertThat(new HashSet<>(b.evolve())).isEqualTo(new HashSet<>(a.evolve()));
        assertThat(new HashSet<>(b.test())).isEqualTo(new HashSet<>(a.test()));
        assertThat(TaskSplit.of(tasks, 20, 20, 7)).isEqualTo(a);
        // another seed, another split
        assertThat(TaskSplit.of(tasks, 20, 20, 8).evolve()).isNotEqualTo(a.evolve());
        // each part in the pool's order
        assertThat(a.evolveTasks(tasks).stream().map(Task::id).toList()).isEqualTo(a.evolve());
        assertThat(a.testTasks(tasks)).extracting(Task::id).isSortedAccordingTo((x, y) -> Integer.compare(
                Integer.parseInt(x.substring(2)), Integer.parseInt(y.substring(2))));
        // defaults: half, then the rest
        TaskSplit half = TaskSplit.of(pool(7), null, null, 1);
        assertThat(half.evolve()).hasSize(3);
        assertThat(half.test()).hasSize(4);

        assertThatThrownBy(() -> TaskSplit.of(tasks, 40, 20, 7)).hasMessageStartingWith("split:");
        assertThatThrownBy(() -> TaskSplit.of(tasks, 0, 20, 7)).hasMessageStartingWith("split.evolve");
        assertThatThrownBy(() -> TaskSplit.of(pool(1), null, null, 7)).hasMessageStartingWith("split.test");
        List<Task> twice = new ArrayList<>(pool(3));
        twice.add(new Task("t-1", "again", "1", "gsm8k", null));
        assertThatThrownBy(() -> TaskSplit.of(twice, 1, 1, 7)).hasMessageContaining("'t-1' appears twice");
        assertThatThrownBy(() -> new TaskSplit(1, List.of("a", "b"), List.of("b"))).hasMessageContaining("both");
    }

    static final Task DUCKS = new Task("gsm8k-0", "Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes "
            + "muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. "
            + "How much in dollars does she make every day at the farmers' market?", "18", "gsm8k", null);
    static final Task CAPE = new Task("wtq-nu-204", "which lighthouse in the table is the tallest?", "Cape Spire", "wikitq", null);
    static final Task LONG_ANSWER = new Task("q-long-1", "Who wrote it?", "Seth MacFarlane and Alex Borstein", "normalized", null);

    static SkillBundle skill(String... pathAndText) {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("SKILL.md", "---\nname: s\ndescription: d\n---\n# S\n\nAdd the numbers, then check the units. 18 is a fine number.\n");
        for (int i = 0; i < pathAndText.length; i += 2) {
            files.put(pathAndText[i], pathAndText[i + 1]);
        }
        return SkillBundle.ofText("s", files);
    }

    @Test
    void leakageFindsHeldOutQuestionsAnswersNextToThemAndTaskIdsAndNothingElse() {
        List<Task> heldOut = List.of(DUCKS, CAPE, LONG_ANSWER);
        // a clean skill: the bare number 18 and the word "tallest" are not evidence
        assertThat(LeakageCheck.scan(skill(), heldOut)).isEmpty();

        // the question reworded in case, punctuation and spacing, with its answer in the same paragraph
        SkillBundle leaky = skill("references/worked.md", "# Worked\n\nJANET'S ducks lay 16 eggs per day; she eats three for breakfast every "
                + "morning and bakes muffins... The answer is $18.\n\nUnrelated: 18 apples.\n");
        List<LeakageCheck.Leak> leaks = LeakageCheck.scan(leaky, heldOut);
        assertThat(leaks).extracting(LeakageCheck.Leak::file, LeakageCheck.Leak::taskId, LeakageCheck.Leak::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("references/worked.md", "gsm8k-0", LeakageCheck.Kind.QUESTION),
                org.assertj.core.groups.Tuple.tuple("references/worked.md", "gsm8k-0", LeakageCheck.Kind.ANSWER));
        assertThat(leaks.get(0).describe()).startsWith("references/worked.md: question of held-out task gsm8k-0 (\"janet s ducks lay 16");

        // an eval file as the old miner wrote it: the task's id and its answer, no question
        SkillBundle evals = skill("assets/evals.json", "[\n  {\"source\": \"ev-1:ab12:gsm8k-0:s0\", \"expected\": \"18\"}\n]\n");
        assertThat(LeakageCheck.scan(evals, heldOut)).extracting(LeakageCheck.Leak::kind)
                .containsExactly(LeakageCheck.Kind.ANSWER, LeakageCheck.Kind.TASK_ID);
        // a longer id that merely starts with the task's id is another task
        assertThat(LeakageCheck.scan(skill("assets/x.json", "{\"source\": \"gsm8k-07\", \"expected\": \"18\"}"), heldOut)).isEmpty();

        // a distinctive answer counts anywhere; a short one only next to its task
        assertThat(LeakageCheck.scan(skill("references/people.md", "Credits: seth macfarlane AND alex borstein.\n"), heldOut))
                .extracting(LeakageCheck.Leak::taskId, LeakageCheck.Leak::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("q-long-1", LeakageCheck.Kind.ANSWER));
        assertThat(LeakageCheck.scan(skill("references/lights.md", "Cape Spire is a lighthouse.\n"), heldOut)).isEmpty();
        // a short question (under twelve words) is matched whole
        assertThat(LeakageCheck.scan(skill("SKILL.md", "---\nname: s\ndescription: d\n---\n# S\n\nWhich lighthouse in the table is the tallest? "
                + "Cape Spire.\n"), heldOut)).extracting(LeakageCheck.Leak::kind)
                .containsExactly(LeakageCheck.Kind.QUESTION, LeakageCheck.Kind.ANSWER);
        // binary files are not read
        SkillBundle binary = skill().withBytes("assets/logo.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, (byte) 0xff});
        assertThat(LeakageCheck.scan(binary, heldOut)).isEmpty();
        assertThat(LeakageCheck.byFile(leaks)).containsExactly(Map.entry("references/worked.md", List.of("gsm8k-0")));
    }

    // ---- reports ----------------------------------------------------------------------------------------------

    static Episode ep(String skill, String model, int task, int seed, boolean correct, long tokens) {
        return new Episode(new Condition(skill, model, null), "t" + task, seed, correct ? Episode.Status.CORRECT : Episode.Status.WRONG,
                tokens, 0);
    }

    /** McNemar's exact two-sided p from binomial coefficients in exact arithmetic. */
    static double mcnemar(int b, int c) {
        int n = b + c;
        BigInteger tail = BigInteger.ZERO;
        for (int i = 0; i <= Math.min(b, c); i++) {
            tail = tail.add(binomial(n, i));
        }
        BigDecimal p = new BigDecimal(tail.shiftLeft(1)).divide(new BigDecimal(BigInteger.TWO.pow(n)), MathContext.DECIMAL64);
        return Math.min(1.0, p.doubleValue());
    }

    static BigInteger binomial(int n, int k) {
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return r;
    }

    static double wilsonLow(int s, int n) {
        double z = 1.959963984540054;
        double p = (double) s / n;
        return (p + z * z / (2 * n) - z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n))) / (1 + z * z / n);
    }

    @Test
    void theExperimentReportPairsS0AndEachRoundsStarOnTheSameTestTasksPerUserModel() {
        // 10 test tasks, 2 seeds, two user models. none: tasks 0-2 right; S0: tasks 0-4; S*1: 0-7; S*2: 0-8 (user a only)
        List<Episode> test = new ArrayList<>();
        for (String model : List.of("user-a", "user-b")) {
            for (int seed = 0; seed < 2; seed++) {
                for (int t = 0; t < 10; t++) {
                    test.add(ep(null, model, t, seed, t < 3, 100));
                    test.add(ep("s@1", model, t, seed, t < 5, 150));
                    test.add(ep("s@2", model, t, seed, t < 8, 120));
                    if (model.equals("user-a")) {
                        test.add(ep("s@3", model, t, seed, t < 9, 110));
                    }
                }
            }
        }
        // an episode that could not complete is out of rates and pairs
        test.add(new Episode(new Condition("s@2", "user-b", null), "t10", 0, Episode.Status.ERROR, 10, 0));
        List<Episode> stage1 = List.of(ep("s@1", "author", 20, 0, true, 50), ep("s@1", "author", 21, 0, false, 70));
        TaskSplit split = new TaskSplit(7, List.of("t20", "t21"), List.of("t0", "t1"));
        ExperimentReportBuilder.Facts facts = new ExperimentReportBuilder.Facts("author", split, List.of("user-a", "user-b"), List.of(
                new ExperimentReportBuilder.RoundFacts(1, "s@1", "s@2", "run-1", stage1),
                new ExperimentReportBuilder.RoundFacts(2, "s@2", "s@3", "run-2", List.of())));
        ExperimentReport r = ExperimentReportBuilder.build(facts, test, new Prices(Map.of("user-a", new Prices.Price(1.0, 2.0))));

        assertThat(r.split()).isEqualTo(new ExperimentReport.Split(7, 2, 2));
        assertThat(r.rounds().get(0).stage1().successes()).isEqualTo(1);
        assertThat(r.rounds().get(0).stage1().tokens()).isEqualTo(120);
        assertThat(r.rounds().get(1).stage1()).isNull();

        ExperimentReport.User a = r.users().get(0);
        assertThat(a.rates()).extracting(ExperimentReport.Rate::role).containsExactly("no skill", "S0", "S* round 1", "S* round 2");
        ExperimentReport.Rate s0 = a.rates().get(1);
        assertThat(s0.successes()).isEqualTo(10);
        assertThat(s0.episodes()).isEqualTo(20);
        // the service's normal quantile is Acklam's approximation (relative error < 1.15e-9)
        assertThat(s0.rateLow()).isCloseTo(wilsonLow(10, 20), within(1e-8));
        assertThat(s0.cost()).isCloseTo(20 * 150 / 1e6, within(1e-12));
        assertThat(r.users().get(1).rates().get(0).cost()).isNull();

        Map<String, ExperimentReport.Delta> byKind = new java.util.HashMap<>();
        a.deltas().forEach(d -> byKind.put(d.round() + " " + d.kind(), d));
        ExperimentReport.Delta d1 = byKind.get("1 S* − S0");
        // S*1 solves tasks 5-7 that S0 does not, on both seeds: c = 6, b = 0
        assertThat(d1.pairs()).isEqualTo(20);
        assertThat(d1.delta()).isCloseTo(6 / 20.0, within(1e-12));
        assertThat(d1.onlyTreatment()).isEqualTo(6);
        assertThat(d1.onlyBaseline()).isZero();
        assertThat(d1.mcnemarP()).isCloseTo(mcnemar(0, 6), within(1e-12));
        assertThat(d1.deltaLow()).isPositive().isLessThanOrEqualTo(d1.delta());
        assertThat(d1.tokenChange()).isEqualTo(-30.0);
        assertThat(byKind.get("1 S* − no skill").delta()).isCloseTo(10 / 20.0, within(1e-12));
        assertThat(byKind.get("2 S* − S0").baseline()).isEqualTo("s@2");
        assertThat(byKind.get("2 S* − S0").delta()).isCloseTo(2 / 20.0, within(1e-12));
        assertThat(byKind.get("0 last S* − first S0").delta()).isCloseTo(8 / 20.0, within(1e-12));
        // the same numbers as the evaluation report's head-to-head comparison
        Report.Comparison same = ReportBuilder.compare("s@2", test.stream().filter(e -> "s@2".equals(e.condition().skill())
                && e.condition().model().equals("user-a")).toList(), "s@1", test.stream().filter(e -> "s@1".equals(e.condition().skill())
                && e.condition().model().equals("user-a")).toList(), "user-a");
        assertThat(same.deltaLow()).isEqualTo(d1.deltaLow());
        assertThat(same.deltaHigh()).isEqualTo(d1.deltaHigh());

        // user b never ran round 2's S*: its last S* is round 1's; the error is out of the pairs
        ExperimentReport.User b = r.users().get(1);
        assertThat(b.rates().get(2).errors()).isEqualTo(1);
        assertThat(b.deltas()).extracting(ExperimentReport.Delta::kind).containsExactly("S* − S0", "S* − no skill");
        assertThat(r.matrix()).extracting(ExperimentReport.MatrixCell::user, ExperimentReport.MatrixCell::skill).containsExactly(
                org.assertj.core.groups.Tuple.tuple("user-a", "s@3"), org.assertj.core.groups.Tuple.tuple("user-b", "s@2"));
        assertThat(r.matrix().get(0).vsS0()).isCloseTo(8 / 20.0, within(1e-12));
        assertThat(r.matrix().get(1).vsNoSkill()).isCloseTo(10 / 20.0, within(1e-12));

        String md = ExperimentRendering.markdown("Experiment ex-1", r, Map.of("diff", "/v1/runs/run-1/diff"));
        assertThat(md).contains("Split (seed 7): 2 tasks in D_evolve, 2 held out in D_test", "| 1 | s@1 | s@2 | run-1 | 50.0%",
                "## Skill user user-a on D_test", "| s@1 | S0 | 20 | 0 | 50.0% [", "| 1 | S* − S0 | s@2 − s@1 | 20 | +30.0 pp [",
                "| all | last S* − first S0 | s@3 − s@1 |", "- diff: /v1/runs/run-1/diff", "| author | user-b | s@2 |");
        assertThat(ExperimentRendering.svg("Experiment ex-1", r)).startsWith("<svg").contains("user-a · S* round 2 · s@3", "90.0% (n=20)");
    }

    @Test
    void evaluationReportsCompareSkillsHeadToHead() {
        List<Episode> eps = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            eps.add(ep("k@1", "m", t, 0, t < 2, 10));
            eps.add(ep("k@2", "m", t, 0, t < 5, 12));
            eps.add(ep(null, "m", t, 0, t < 1, 8));
        }
        Report r = ReportBuilder.build(eps, new Prices(Map.of()), Map.of(), List.of(List.of("k@2", "k@1"), List.of("k@1", "none"),
                List.of("k@9", "k@1")));
        assertThat(r.comparisons()).hasSize(2);
        Report.Comparison c = r.comparisons().get(0);
        assertThat(c.treatment()).isEqualTo("k@2");
        assertThat(c.baseline()).isEqualTo("k@1");
        assertThat(c.pairs()).isEqualTo(6);
        assertThat(c.delta()).isCloseTo(0.5, within(1e-12));
        assertThat(c.mcnemarP()).isCloseTo(mcnemar(0, 3), within(1e-12));
        assertThat(c.tokenChange()).isEqualTo(2.0);
        assertThat(r.comparisons().get(1).baseline()).isEqualTo("no skill");
        assertThat(ReportRendering.markdown("E", r)).contains("## Head to head", "| k@2 − k@1 | m | 6 | +50.0 pp [");
        assertThat(ReportBuilder.build(eps, new Prices(Map.of()), Map.of()).comparisons()).isNull();
    }
}
