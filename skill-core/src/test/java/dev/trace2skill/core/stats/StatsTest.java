package dev.trace2skill.core.stats;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Reference values were computed independently with Python 3.11's standard library on 2026-11-22:
 * McNemar p = min(1, 2·Σ_{i≤min(b,c)} math.comb(b+c, i) / 2^(b+c)) in exact integer arithmetic (the same statistic
 * as R's {@code binom.test(min(b,c), b+c)}); Wilson bounds from the closed form with
 * z = statistics.NormalDist().inv_cdf(0.975) = 1.9599639845400536.
 */
class StatsTest {

    @ParameterizedTest(name = "b={0}, c={1}")
    @CsvSource({
            "3,10,0.09228515625",
            "0,5,0.0625",
            "12,12,1.0",
            "25,40,0.08168153394154005",
            "1,0,1.0",
            "7,19,0.028959274291992188",
            "100,140,0.011664092317677663",
            "400,460,0.04416954819458901",
            "0,0,1.0"
    })
    void mcnemarExactMatchesExactBinomialSums(int b, int c, double expected) {
        assertThat(PairedComparison.mcnemarExactP(b, c)).isCloseTo(expected, within(1e-12));
        assertThat(PairedComparison.mcnemarExactP(c, b)).isCloseTo(expected, within(1e-12));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "84,200,0.35373599161616726,0.4892792606041954",
            "0,10,0.0,0.27753279986288915",
            "10,10,0.7224672001371109,1.0",
            "200,465,0.38586187689041307,0.4754985067166628"
    })
    void wilsonIntervalMatchesTheClosedForm(int successes, int n, double low, double high) {
        Interval ci = new Proportion(successes, n).wilson(0.95);
        assertThat(ci.low()).isCloseTo(low, within(1e-8));
        assertThat(ci.high()).isCloseTo(high, within(1e-8));
    }

    @Test
    void normalQuantile() {
        assertThat(Normal.quantile(0.975)).isCloseTo(1.9599639845400536, within(1e-8));
        assertThat(Normal.quantile(0.5)).isCloseTo(0.0, within(1e-12));
        assertThat(Normal.quantile(0.005)).isCloseTo(-2.5758293035489, within(1e-8));
    }

    /**
     * 400 paired tasks: the baseline solves tasks 0-199, the treatment tasks 0-179 and 200-259; so b = 20, c = 60
     * and Δ = 0.1. Independent check: the normal approximation Δ ± z·sd/√n = [0.05728, 0.14272], and a Python
     * percentile bootstrap (random.seed(1), 20,000 resamples) gave [0.0575, 0.1425]; our interval must agree
     * with both to within Monte-Carlo error (0.005).
     */
    @Test
    void pairedBootstrapAgreesWithIndependentEstimatesAndIsReproducible() {
        boolean[] base = new boolean[400];
        boolean[] treat = new boolean[400];
        for (int i = 0; i < 400; i++) {
            base[i] = i < 200;
            treat[i] = i < 180 || (i >= 200 && i < 260);
        }
        PairedComparison cmp = new PairedComparison(base, treat);
        assertThat(cmp.onlyBaseline()).isEqualTo(20);
        assertThat(cmp.onlyTreatment()).isEqualTo(60);
        assertThat(cmp.delta()).isCloseTo(0.1, within(1e-12));
        Interval ci = cmp.bootstrapDelta(0.95, 20_000, 42);
        assertThat(ci.low()).isCloseTo(0.0575, within(0.005));
        assertThat(ci.high()).isCloseTo(0.1425, within(0.005));
        assertThat(ci.excludesZero()).isTrue();
        assertThat(cmp.bootstrapDelta(0.95, 20_000, 42)).isEqualTo(ci);
        assertThat(cmp.bootstrapDelta(0.95, 20_000, 43)).isNotEqualTo(ci);
        assertThat(cmp.mcnemarExactP()).isEqualTo(PairedComparison.mcnemarExactP(20, 60));
    }

    @Test
    void identicalOutcomesGiveAZeroWidthInterval() {
        boolean[] same = {true, false, true, true};
        PairedComparison cmp = new PairedComparison(same, same);
        assertThat(cmp.delta()).isZero();
        assertThat(cmp.bootstrapDelta(1)).isEqualTo(new Interval(0, 0, 0.95));
        assertThat(cmp.mcnemarExactP()).isEqualTo(1.0);
    }

    @Test
    void percentileUsesTypeSevenInterpolation() {
        // NumPy: np.percentile([1, 2, 3, 4], 25) == 1.75
        assertThat(PairedComparison.percentile(new double[]{1, 2, 3, 4}, 0.25)).isEqualTo(1.75);
    }
}
