package dev.trace2skill.env;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an analyst's own tool calls answered in one analysis (query results, calculations), so that a candidate answer
 * can be told apart from a value the analyst merely wrote down. A candidate is <b>produced</b> when every one of its
 * values ({@code |}-separated, as WikiTableQuestions answers are) occurs in some answer of the domain's tools:
 * <ul>
 *   <li>as a phrase: the value, case, accents and white space ignored, between word boundaries of an answer
 *       ({@code Cape Spire} in a row {@code Cape Spire | 52}); or</li>
 *   <li>as numbers: every number in the value equals a number in some answer ({@code 18} from {@code 18.0},
 *       {@code The answer is 1,200} from {@code 1200}).</li>
 * </ul>
 * A value with neither is not produced, however right it is.
 */
public final class ProducedValues {
    private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|-?\\.\\d+");

    private final List<String> answers = new ArrayList<>();
    private final Set<BigDecimal> numbers = new HashSet<>();

    /** Records one answer of a domain tool. */
    public synchronized void add(String toolAnswer) {
        if (toolAnswer == null || toolAnswer.isBlank()) {
            return;
        }
        answers.add(normalize(toolAnswer));
        numbers.addAll(numbersIn(toolAnswer));
    }

    public synchronized boolean isEmpty() {
        return answers.isEmpty();
    }

    /** Whether every value of the candidate was produced. */
    public boolean produced(String candidate) {
        return candidate != null && !candidate.isBlank() && missing(candidate).isEmpty();
    }

    /** The candidate's values that no tool answer produced. */
    public synchronized List<String> missing(String candidate) {
        List<String> out = new ArrayList<>();
        if (candidate == null) {
            return out;
        }
        for (String part : candidate.split("\\|", -1)) {
            String value = part.strip();
            if (!value.isEmpty() && !phrase(value) && !numeric(value)) {
                out.add(value);
            }
        }
        return out;
    }

    private boolean phrase(String value) {
        String v = normalize(value);
        if (v.isEmpty()) {
            return false;
        }
        Pattern p = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(v) + "(?![\\p{L}\\p{N}])");
        return answers.stream().anyMatch(a -> p.matcher(a).find());
    }

    private boolean numeric(String value) {
        List<BigDecimal> wanted = numbersIn(value);
        return !wanted.isEmpty() && numbers.containsAll(wanted);
    }

    static List<BigDecimal> numbersIn(String text) {
        List<BigDecimal> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            String n = m.group().replace(",", "");
            try {
                BigDecimal d = new BigDecimal(n);
                // one scale so that 18, 18.0 and 1.8e1 are the same number
                out.add(d.compareTo(BigDecimal.ZERO) == 0 ? BigDecimal.ZERO : d.stripTrailingZeros());
            } catch (NumberFormatException | ArithmeticException ignored) {
                // not a number after all
            }
        }
        return out;
    }

    static String normalize(String s) {
        String t = Normalizer.normalize(s, Normalizer.Form.NFKD).replaceAll("\\p{Mn}", "");
        return t.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }
}
