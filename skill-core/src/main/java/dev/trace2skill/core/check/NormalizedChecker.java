package dev.trace2skill.core.check;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SQuAD / HotpotQA exact-match normalisation: lower case, accents and punctuation removed, the articles a, an and
 * the dropped, white space collapsed.
 */
public final class NormalizedChecker implements AnswerChecker {
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");
    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{Punct}\\p{IsPunctuation}]");

    @Override
    public String name() {
        return "normalized";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        String c = normalize(candidate);
        String e = normalize(expected);
        return new Verdict(!e.isEmpty() && c.equals(e), c, e, c.equals(e) ? "equal after normalisation" : "differs after normalisation");
    }

    public static String normalize(String s) {
        if (s == null) {
            return "";
        }
        String t = Normalizer.normalize(s, Normalizer.Form.NFKD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
        t = PUNCTUATION.matcher(t).replaceAll(" ");
        t = ARTICLES.matcher(t).replaceAll(" ");
        return t.replaceAll("\\s+", " ").strip();
    }
}
