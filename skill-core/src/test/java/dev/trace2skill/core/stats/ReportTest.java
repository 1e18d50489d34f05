package dev.trace2skill.core.stats;

import dev.trace2skill.core.eval.Condition;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.Prices;
import dev.trace2skill.core.eval.Report;
import dev.trace2skill.core.eval.ReportBuilder;
import dev.trace2skill.core.eval.ReportRendering;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReportTest {
    /**
     * 20 tasks × 2 seeds. No skill solves tasks 0-7; the skill solves 0-5 and 8-17; the skill without section "Rules"
     * solves 0-9. The no-skill episode of task 19, seed 2, is an ERROR: excluded, and so is its pair.
     * By hand: skill rate 32/40; baseline 16/39; on the 39 pairs b (only the baseline right: tasks 6, 7) = 4 and
     * c (only the skill right: tasks 8-17) = 20, so Δ = 16/39; McNemar p = min(1, 2·Σ_{i≤4} C(24, i)/2^24)
     * = 0.001543879508972168 (Python 3.11, math.comb, exact integers). Ablation: full 32/40 vs without the section
     * 20/40 on 40 pairs: effect +0.3.
     */
    @Test
    void ratesDeltasAndAblationsComeFromTheStoredEpisodes() {
        List<Episode> episodes = new ArrayList<>();
        Condition none = Condition.noSkill("m");
        Condition skill = new Condition("s@2", "m", null);
        Condition noRules = new Condition("s@2", "m", "Rules");
        for (int seed = 1; seed <= 2; seed++) {
            for (int t = 0; t < 20; t++) {
                Episode.Status base = t == 19 && seed == 2 ? Episode.Status.ERROR : t < 8 ? Episode.Status.CORRECT : Episode.Status.WRONG;
                episodes.add(new Episode(none, "t" + t, seed, base, 100, 10));
                episodes.add(new Episode(skill, "t" + t, seed, (t < 6 || (t >= 8 && t < 18)) ? Episode.Status.CORRECT : Episode.Status.WRONG, 300, 20));
                episodes.add(new Episode(noRules, "t" + t, seed, t < 10 ? Episode.Status.CORRECT : Episode.Status.WRONG, 250, 20));
            }
        }
        Report r = ReportBuilder.build(episodes, new Prices(Map.of("m", new Prices.Price(1.0, 2.0))), Map.of("s@2", "author-model"));
        Report.ConditionResult base = r.conditions().stream().filter(c -> c.skill() == null).findFirst().orElseThrow();
        assertThat(base.episodes()).isEqualTo(39);
        assertThat(base.errors()).isEqualTo(1);
        assertThat(base.rate()).isCloseTo(16.0 / 39, within(1e-12));
        Report.ConditionResult s = r.conditions().stream().filter(c -> "s@2".equals(c.skill()) && c.label().equals("s@2")).findFirst().orElseThrow();
        assertThat(s.rate()).isCloseTo(0.8, within(1e-12));
        assertThat(s.pairs()).isEqualTo(39);
        assertThat(s.delta()).isCloseTo((20.0 - 4.0) / 39, within(1e-12));
        assertThat(s.mcnemarP()).isCloseTo(0.001543879508972168, within(1e-12));
        assertThat(s.deltaLow()).isLessThan(s.delta()).isGreaterThan(0);
        assertThat(s.deltaHigh()).isGreaterThan(s.delta());
        assertThat(s.tokenChange()).isCloseTo(210.0, within(1e-9));
        assertThat(s.cost()).isCloseTo((40 * 300 * 1.0 + 40 * 20 * 2.0) / 1_000_000, within(1e-12));
        assertThat(r.matrix()).singleElement().satisfies(m -> {
            assertThat(m.author()).isEqualTo("author-model");
            assertThat(m.delta()).isCloseTo(s.delta(), within(1e-12));
        });
        assertThat(r.ablations()).singleElement().satisfies(a -> {
            assertThat(a.section()).isEqualTo("Rules");
            assertThat(a.pairs()).isEqualTo(40);
            assertThat(a.effect()).isCloseTo((32.0 - 20.0) / 40, within(1e-12));
            assertThat(a.low()).isLessThanOrEqualTo(a.effect());
            assertThat(a.high()).isGreaterThanOrEqualTo(a.effect());
        });
        String md = ReportRendering.markdown("eval", r);
        assertThat(md).contains("| no skill | m | 39 | 1 | 41.0%").contains("| s@2 | m | 40 | 0 | 80.0%").contains("+41.0 pp").contains("Section ablation");
        String svg = ReportRendering.svg("eval", r);
        assertThat(svg).startsWith("<svg").contains("80.0% (n=40)").endsWith("</svg>\n");
    }
}
