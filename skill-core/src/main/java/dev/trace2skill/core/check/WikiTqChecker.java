package dev.trace2skill.core.check;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WikiTableQuestions' official denotation match (ppasupat/WikiTableQuestions {@code evaluator.py}), ported for raw
 * strings (no CoreNLP tags):
 * <ul>
 *   <li>a value is a number when the whole string parses as an integer or a finite float (so {@code 1,000} stays a
 *       string), else a date {@code yyyy-mm-dd} with {@code xx} for unknown parts, else a string;</li>
 *   <li>strings are normalised: accents removed, curly quotes and dashes made plain, trailing citations
 *       ({@code [1]}, {@code *}, {@code †}…) and trailing parenthesised details removed, outer quotes removed, a final
 *       period removed, white space collapsed, lower case;</li>
 *   <li>numbers match numbers within 1e-6; dates match dates on year, month and day; otherwise normalised strings
 *       must be equal;</li>
 *   <li>several values are separated by {@code |}; the prediction is right when it has as many values as the gold and
 *       every gold value matches one of them, in any order. There is no partial credit.</li>
 * </ul>
 */
public final class WikiTqChecker implements AnswerChecker {
    private static final Pattern CITATION = Pattern.compile("((?<!^)\\[[^\\]]*]|\\[\\d+]|[•♦†‡*#+])*$");
    private static final Pattern PAREN = Pattern.compile("(?<!^)( \\([^)]*\\))*$");
    private static final Pattern QUOTED = Pattern.compile("^\"([^\"]*)\"$");
    private static final Pattern DATE = Pattern.compile("^(\\d{4}|xx)-(\\d{2}|xx)-(\\d{2}|xx)$");

    @Override
    public String name() {
        return "wikitq";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        List<Value> gold = values(split(expected));
        List<Value> predicted = values(split(candidate));
        boolean ok = denotationMatch(gold, predicted);
        return new Verdict(ok, String.join("|", predicted.stream().map(Value::normalized).toList()),
                String.join("|", gold.stream().map(Value::normalized).toList()), ok ? "denotations match" : "denotations differ");
    }

    sealed interface Value permits StringValue, NumberValue, DateValue {
        String normalized();

        default boolean match(Value other) {
            return normalized().equals(other.normalized());
        }
    }

    record StringValue(String normalized) implements Value {
    }

    record NumberValue(double amount, String normalized) implements Value {
        @Override
        public boolean match(Value other) {
            if (other instanceof NumberValue n) {
                return Math.abs(amount - n.amount) < 1e-6;
            }
            return normalized.equals(other.normalized());
        }
    }

    record DateValue(int year, int month, int day, String normalized) implements Value {
        @Override
        public boolean match(Value other) {
            if (other instanceof DateValue d) {
                return year == d.year && month == d.month && day == d.day;
            }
            return normalized.equals(other.normalized());
        }
    }

    static boolean denotationMatch(List<Value> gold, List<Value> predicted) {
        if (gold.size() != predicted.size()) {
            return false;
        }
        for (Value g : gold) {
            if (predicted.stream().noneMatch(g::match)) {
                return false;
            }
        }
        return true;
    }

    static List<String> split(String answer) {
        List<String> out = new ArrayList<>();
        if (answer == null) {
            return out;
        }
        for (String part : answer.split("\\|", -1)) {
            out.add(unescapeTsv(part));
        }
        return out;
    }

    static List<Value> values(List<String> originals) {
        // the official evaluator builds a set: duplicate values count once
        List<Value> out = new ArrayList<>();
        for (String o : originals) {
            Value v = toValue(o);
            if (out.stream().noneMatch(x -> x.equals(v))) {
                out.add(v);
            }
        }
        return out;
    }

    static Value toValue(String original) {
        String normalized = normalize(original);
        Double number = parseNumber(original);
        if (number != null) {
            return new NumberValue(number, normalized);
        }
        Matcher d = DATE.matcher(original.strip().toLowerCase(Locale.ROOT));
        if (d.matches() && !(d.group(1).equals("xx") && d.group(2).equals("xx") && d.group(3).equals("xx"))) {
            int y = d.group(1).equals("xx") ? -1 : Integer.parseInt(d.group(1));
            int m = d.group(2).equals("xx") ? -1 : Integer.parseInt(d.group(2));
            int day = d.group(3).equals("xx") ? -1 : Integer.parseInt(d.group(3));
            if ((m == -1 || (m >= 1 && m <= 12)) && (day == -1 || (day >= 1 && day <= 31))) {
                return new DateValue(y, m, day, normalized);
            }
        }
        return new StringValue(normalized);
    }

    /** Python's {@code int(text)} then {@code float(text)} (finite only). */
    static Double parseNumber(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        if (t.matches("[-+]?\\d+")) {
            return Double.parseDouble(t);
        }
        if (t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            double d = Double.parseDouble(t);
            return Double.isFinite(d) ? d : null;
        }
        return null;
    }

    public static String normalize(String x) {
        String s = Normalizer.normalize(x, Normalizer.Form.NFKD).replaceAll("\\p{Mn}", "");
        s = s.replaceAll("[‘’´`]", "'").replaceAll("[“”]", "\"").replaceAll("[‐‑‒–—−]", "-");
        while (true) {
            String old = s;
            s = CITATION.matcher(s.strip()).replaceAll("");
            s = PAREN.matcher(s.strip()).replaceAll("");
            s = QUOTED.matcher(s.strip()).replaceAll("$1");
            if (s.equals(old)) {
                break;
            }
        }
        if (!s.isEmpty() && s.charAt(s.length() - 1) == '.') {
            s = s.substring(0, s.length() - 1);
        }
        return s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT).strip();
    }

    /** The dataset's TSV escapes: {@code \n} newline, {@code \p} the pipe inside a value, {@code \\} a backslash. */
    public static String unescapeTsv(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char n = field.charAt(++i);
                out.append(switch (n) {
                    case 'n' -> "\n";
                    case 'p' -> "|";
                    case '\\' -> "\\";
                    default -> "\\" + n;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
