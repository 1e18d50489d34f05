package dev.trace2skill.core.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Baseline and treatment (e.g. S0 and S*) scored on the same tasks: the difference in success rate with a paired
 * bootstrap interval, and McNemar's exact test on the discordant pairs.
 */
public final class PairedComparison {
    public static final int DEFAULT_RESAMPLES = 10_000;

    private final boolean[] baseline;
    private final boolean[] treatment;
    private final int onlyBaseline;
    private final int onlyTreatment;

    public PairedComparison(boolean[] baseline, boolean[] treatment) {
        if (baseline.length != treatment.length) {
            throw new IllegalArgumentException("paired outcomes need the same tasks: " + baseline.length + " vs " + treatment.length);
        }
        this.baseline = baseline.clone();
        this.treatment = treatment.clone();
        int b = 0;
        int c = 0;
        for (int i = 0; i < baseline.length; i++) {
            if (baseline[i] && !treatment[i]) {
                b++;
            } else if (!baseline[i] && treatment[i]) {
                c++;
            }
        }
        this.onlyBaseline = b;
        this.onlyTreatment = c;
    }

    public int n() {
        return baseline.length;
    }

    /** Tasks the baseline solved and the treatment did not (McNemar's b). */
    public int onlyBaseline() {
        return onlyBaseline;
    }

    /** Tasks the treatment solved and the baseline did not (McNemar's c). */
    public int onlyTreatment() {
        return onlyTreatment;
    }

    public double delta() {
        return n() == 0 ? Double.NaN : (double) (onlyTreatment - onlyBaseline) / n();
    }

    /** Two-sided exact McNemar p-value: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1. */
    public double mcnemarExactP() {
        return mcnemarExactP(onlyBaseline, onlyTreatment);
    }

    public static double mcnemarExactP(int b, int c) {
        int n = b + c;
        if (n == 0) {
            return 1.0;
        }
        int k = Math.min(b, c);
        double logHalfN = n * Math.log(0.5);
        double logTerm = 0; // log C(n, 0)
        double maxLog = Double.NEGATIVE_INFINITY;
        double[] logs = new double[k + 1];
        for (int i = 0; i <= k; i++) {
            logs[i] = logTerm + logHalfN;
            maxLog = Math.max(maxLog, logs[i]);
            logTerm += Math.log(n - i) - Math.log(i + 1);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - maxLog);
        }
        double tail = Math.exp(maxLog + Math.log(sum));
        return Math.min(1.0, 2 * tail);
    }

    /**
     * Percentile bootstrap interval of the difference in success rate, resampling tasks (pairs) with replacement.
     * The same seed gives the same interval.
     */
    public Interval bootstrapDelta(double level, int resamples, long seed) {
        int n = n();
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, level);
        }
        int[] diff = new int[n];
        for (int i = 0; i < n; i++) {
            diff[i] = (treatment[i] ? 1 : 0) - (baseline[i] ? 1 : 0);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += diff[random.nextInt(n)];
            }
            means[r] = (double) sum / n;
        }
        Arrays.sort(means);
        double alpha = 1 - level;
        return new Interval(percentile(means, alpha / 2), percentile(means, 1 - alpha / 2), level);
    }

    public Interval bootstrapDelta(long seed) {
        return bootstrapDelta(0.95, DEFAULT_RESAMPLES, seed);
    }

    /** Linear interpolation between order statistics (the "type 7" rule of R and NumPy). */
    static double percentile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
