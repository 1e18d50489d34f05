package dev.trace2skill.core.check;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers compared with a tolerance (relative 1e-6, absolute 1e-9): accepts thousands separators ({@code 1,234.5}),
 * currency and unit signs around the number ({@code $18}, {@code 18 dollars}), simple fractions ({@code 3/4}) and
 * scientific notation. A percentage is compared as written ({@code 50%} equals {@code 50}), not as a fraction.
 */
public final class NumericChecker implements AnswerChecker {
    static final double RELATIVE = 1e-6;
    static final double ABSOLUTE = 1e-9;
    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)?(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
    private static final Pattern FRACTION = Pattern.compile("^\\s*([-+]?\\d+)\\s*/\\s*(\\d+)\\s*$");

    @Override
    public String name() {
        return "numeric";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        Optional<Double> c = parse(candidate);
        Optional<Double> e = parse(expected);
        if (e.isEmpty()) {
            return new Verdict(false, String.valueOf(candidate), String.valueOf(expected), "the expected answer is not a number");
        }
        if (c.isEmpty()) {
            return new Verdict(false, String.valueOf(candidate), format(e.get()), "the candidate holds no number");
        }
        boolean ok = close(c.get(), e.get());
        return new Verdict(ok, format(c.get()), format(e.get()), ok ? "equal within tolerance" : "different numbers");
    }

    public static boolean close(double a, double b) {
        return Math.abs(a - b) <= Math.max(ABSOLUTE, RELATIVE * Math.max(Math.abs(a), Math.abs(b)));
    }

    /** The number an answer states: a fraction, or the single number in it once signs, units and separators are removed. */
    public static Optional<Double> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String t = s.strip().replace("\u2212", "-");
        Matcher f = FRACTION.matcher(t);
        if (f.matches()) {
            double d = Double.parseDouble(f.group(2));
            return d == 0 ? Optional.empty() : Optional.of(Double.parseDouble(f.group(1)) / d);
        }
        t = t.replaceAll("^[^\\d+\\-.]+", "").replaceAll("[^\\d.]+$", "").replace("%", "");
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = NUMBER.matcher(t);
        if (!m.matches() || m.group().isEmpty() || m.group().equals("-") || m.group().equals("+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BigDecimal(m.group().replace(",", "")).doubleValue());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
