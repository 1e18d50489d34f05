package dev.trace2skill.core.check;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K: the gold answer is the number after {@code #### } (or a final {@code A: } line); a model solution's answer is
 * taken, in this order, from its last {@code #### }, {@code \boxed{}}, {@code A: } line or "the answer is", and
 * otherwise from its last number; the two are compared as numbers ({@link NumericChecker}).
 */
public final class Gsm8kChecker implements AnswerChecker {
    private static final Pattern HASHES = Pattern.compile("####\\s*([^\\n]+)");
    private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*(?:\\{[^{}]*}[^{}]*)*)}");
    private static final Pattern A_LINE = Pattern.compile("(?m)^\\s*A:\\s*(.+?)\\s*$");
    private static final Pattern ANSWER_IS = Pattern.compile("(?i)(?:final answer|the answer)\\s*(?:is|:)\\s*([^\\n]+)");
    private static final Pattern NUMBER = Pattern.compile("-?\\$?\\d[\\d,]*(?:\\.\\d+)?(?:/\\d+)?");

    @Override
    public String name() {
        return "gsm8k";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        Optional<String> c = extract(candidate);
        Optional<String> e = extract(expected);
        if (e.isEmpty()) {
            return new Verdict(false, String.valueOf(candidate), String.valueOf(expected), "no gold answer found");
        }
        if (c.isEmpty()) {
            return new Verdict(false, String.valueOf(candidate), e.get(), "no answer found in the solution");
        }
        return new NumericChecker().check(c.get(), e.get());
    }

    /** The final answer a solution states, as text that {@link NumericChecker#parse} reads. */
    public static Optional<String> extract(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        for (Pattern p : new Pattern[]{HASHES, BOXED, A_LINE, ANSWER_IS}) {
            String last = null;
            Matcher m = p.matcher(text);
            while (m.find()) {
                last = m.group(1);
            }
            if (last != null) {
                Matcher n = NUMBER.matcher(last);
                if (n.find()) {
                    return Optional.of(clean(n.group()));
                }
            }
        }
        String last = null;
        Matcher n = NUMBER.matcher(text);
        while (n.find()) {
            last = n.group();
        }
        return Optional.ofNullable(last).map(Gsm8kChecker::clean);
    }

    private static String clean(String number) {
        return number.replace("$", "").replace(",", "");
    }
}
