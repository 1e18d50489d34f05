package dev.trace2skill.core.stats;

/**
 * A success rate P(S; π, D) = successes / n with its Wilson score interval (which, unlike the normal
 * approximation, stays inside [0, 1] and behaves at rates near 0 and 1).
 */
public record Proportion(int successes, int n) {
    public Proportion {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got " + successes + "/" + n);
        }
    }

    public double rate() {
        return n == 0 ? Double.NaN : (double) successes / n;
    }

    public Interval wilson(double level) {
        if (n == 0) {
            return new Interval(0, 1, level);
        }
        double z = Normal.quantile(1 - (1 - level) / 2);
        double p = rate();
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half), level);
    }
}
