package dev.trace2skill.core.stats;

/** A confidence interval [low, high] at the given level (e.g. 0.95). */
public record Interval(double low, double high, double level) {
    public boolean contains(double x) {
        return x >= low && x <= high;
    }

    public boolean excludesZero() {
        return low > 0 || high < 0;
    }
}
