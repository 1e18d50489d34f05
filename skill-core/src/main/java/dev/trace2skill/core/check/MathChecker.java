package dev.trace2skill.core.check;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Competition math (AIME, AMC): the answer is taken from the last {@code \boxed{}}, else "the answer is", else the last
 * line; LaTeX wrappers ({@code $}, {@code \text{}}, {@code \left}/{@code \right}, {@code \!}, spaces) are removed and
 * {@code \frac{a}{b}}, {@code \dfrac}, {@code \tfrac} become {@code a/b}; answers equal as numbers (leading zeros and
 * {@code 3/4} vs {@code 0.75} included) or as normalised expressions.
 */
public final class MathChecker implements AnswerChecker {
    private static final Pattern FRAC = Pattern.compile("\\\\[dt]?frac\\{([^{}]+)}\\{([^{}]+)}");
    private static final Pattern ANSWER_IS = Pattern.compile("(?i)(?:final answer|the answer)\\s*(?:is|:)\\s*([^\\n]+)");

    @Override
    public String name() {
        return "math";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        String c = normalize(extract(candidate).orElse(""));
        String e = normalize(expected == null ? "" : expected);
        Optional<Double> cn = NumericChecker.parse(c);
        Optional<Double> en = NumericChecker.parse(e);
        if (cn.isPresent() && en.isPresent() && c.matches("[-+\\d./,]+") && e.matches("[-+\\d./,]+")) {
            boolean ok = NumericChecker.close(cn.get(), en.get());
            return new Verdict(ok, c, e, ok ? "equal numbers" : "different numbers");
        }
        boolean ok = !e.isEmpty() && c.equals(e);
        return new Verdict(ok, c, e, ok ? "equal expressions" : "different expressions");
    }

    public static Optional<String> extract(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        int at = text.lastIndexOf("\\boxed{");
        if (at >= 0) {
            int depth = 0;
            int start = at + "\\boxed{".length();
            for (int i = start; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (ch == '{') {
                    depth++;
                } else if (ch == '}') {
                    if (depth == 0) {
                        return Optional.of(text.substring(start, i));
                    }
                    depth--;
                }
            }
        }
        Matcher m = ANSWER_IS.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last != null) {
            return Optional.of(last.replaceAll("[.\\s]+$", ""));
        }
        String[] lines = text.strip().split("\n");
        return Optional.of(lines[lines.length - 1]);
    }

    static String normalize(String s) {
        String t = s.strip();
        t = t.replace("$", "").replace("\\!", "").replace("\\left", "").replace("\\right", "").replace("\\,", "");
        t = t.replaceAll("\\\\text\\{([^}]*)}", "$1").replaceAll("\\\\mathrm\\{([^}]*)}", "$1");
        Matcher f;
        while ((f = FRAC.matcher(t)).find()) {
            t = f.replaceFirst("(" + Matcher.quoteReplacement(f.group(1)) + ")/(" + Matcher.quoteReplacement(f.group(2)) + ")");
        }
        t = t.replaceAll("\\s+", "").replaceAll("\\.$", "").toLowerCase(Locale.ROOT);
        t = t.replaceAll("^\\((-?\\d+)\\)/\\((\\d+)\\)$", "$1/$2");
        if (t.matches("0+\\d+")) {
            t = t.replaceFirst("^0+", "");
        }
        return t;
    }
}
