package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Recognises error observations — the same rules for every importer and for the offline miner — and names the rule
 * that fired, so a flagged step can say why it was flagged ({@link Step#errorRule()}):
 * <ul>
 *   <li>{@value #TOOL_ERROR}: a JSON object reporting a failure ({@code error} set, {@code errors} non-empty,
 *       {@code is_error: true}, {@code status: "error"}, {@code success: false}, {@code ok: false});</li>
 *   <li>{@value #TRACEBACK}: a Python traceback, a Java/JVM stack trace, a Go or Rust panic;</li>
 *   <li>{@value #EXIT_CODE}: a non-zero exit code or status ({@code exit code: 2}, {@code returned non-zero exit status 1},
 *       {@code "returncode": 127});</li>
 *   <li>{@value #HTTP_ERROR}: an HTTP error status (4xx/5xx) in a status line, a status field or a reason phrase
 *       ({@code 404 Not Found});</li>
 *   <li>{@value #ERROR_MESSAGE}: text that opens as an error ({@code Error: …}, {@code ValueError: …}, {@code failed …})
 *       or whose first line says a tool call went wrong ({@code generated an exception}, {@code unknown tool},
 *       {@code permission denied}, {@code command not found});</li>
 *   <li>{@value #NOT_FOUND}: "could not find", "not found", "no such file or directory", "does not exist" in the first
 *       line when that line is short (≤ {@value #SHORT_LINE} characters) or opens with it, so a search snippet that
 *       merely mentions the words is left alone;</li>
 *   <li>{@value #NO_RESULTS}: "no results", "nothing found", "no matches" (same placement), or an observation that is
 *       only {@code None}, {@code null} or {@code nil} (a tool that returned nothing);</li>
 *   <li>{@code pattern:<regex>}: an extra pattern given for one upload (found anywhere in the observation).</li>
 * </ul>
 * The source's own flag (an OTLP span with status ERROR, a {@code tool_result} with {@code is_error}) is recorded as
 * {@value #SOURCE} by the importers. Rules read tool output only: a user's reply in a chat transcript is never checked. Extra patterns are untrusted input run over untrusted text: each match is bounded
 * in work (a runaway pattern counts as no match).
 */
public final class ErrorRules {
    public static final String SOURCE = "source";
    public static final String TOOL_ERROR = "tool-error";
    public static final String TRACEBACK = "traceback";
    public static final String EXIT_CODE = "exit-code";
    public static final String HTTP_ERROR = "http-error";
    public static final String ERROR_MESSAGE = "error-message";
    public static final String NOT_FOUND = "not-found";
    public static final String NO_RESULTS = "no-results";
    public static final String PATTERN_PREFIX = "pattern:";
    public static final int MAX_PATTERNS = 20;
    public static final int MAX_PATTERN_LENGTH = 500;
    /** Built-in rules read at most this many characters of an observation (tracebacks and exit codes sit near either end). */
    static final int WINDOW = 20_000;
    /** A first line longer than this is prose (a search snippet): the phrase rules only fire there when the phrase opens the line. */
    static final int SHORT_LINE = 120;
    /** The HTTP status rule reads only this many characters from the start (a status line or field opens a reply). */
    static final int HTTP_HEAD = 2_000;
    /** On a longer first line, a phrase rule fires only when its match starts at one of the line's first this many characters. */
    static final int PHRASE_OPENING = 4;

    public static final ErrorRules DEFAULT = new ErrorRules(List.of());

    static final Pattern TRACEBACK_PATTERN = Pattern.compile(
            "Traceback \\(most recent call last\\):|(?m)^Exception in thread \"|(?m)^\\s+at [\\w$.<>]+\\([\\w$.-]*:\\d+(:\\d+)?\\)\\s*$"
                    + "|(?m)^panic: |(?m)^goroutine \\d+ \\[running\\]:|thread '[^']{1,200}' panicked at");
    static final Pattern EXIT_PATTERN = Pattern.compile(
            "(?i)\\b(?:exit(?:ed)?[ _]?(?:with[ _])?(?:code|status)|return[ _]?code|returncode|exitcode)\"?\\s*(?:[:=]|is|of)?\\s*\\(?(-?\\d{1,5})\\b");
    static final Pattern HTTP_PATTERN = Pattern.compile(
            "(?i)\\bHTTP/\\d(?:\\.\\d)?\\s+([45]\\d\\d)\\b|\\b(?:status[ _]?code|statusCode|http[ _]status)\"?\\s*[:=]?\\s*\"?([45]\\d\\d)\\b"
                    + "|\\bstatus\"?\\s*[:=]\\s*\"?([45]\\d\\d)\\b"
                    + "|\\b([45]\\d\\d)\\s+(?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Not Acceptable"
                    + "|Request Timeout|Conflict|Gone|Payload Too Large|Unsupported Media Type|Unprocessable (?:Entity|Content)"
                    + "|Too Many Requests|Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway Timeout)\\b"
                    + "|<title>\\s*([45]\\d\\d)\\b");
    private static final Pattern ERROR_OPENING = Pattern.compile(
            "(?i)^\\s*(?:\\[?(?:error|exception|fatal|failed|failure|panic)\\b\\]?|[\\w.$]*(?:Error|Exception)\\s*:)");
    private static final Pattern ERROR_PHRASE = Pattern.compile(
            "(?i)\\b(?:generated an exception|unknown (?:tool|command|function|action)|invalid (?:action|tool|command|function call)"
                    + "|is not a valid (?:tool|action)|permission denied|command not found|timed out|segmentation fault)\\b");
    static final Pattern NOT_FOUND_PHRASE = Pattern.compile(
            "(?i)\\b(?:could ?not find|couldn't find|can ?not find|can't find|could not be found|cannot be found|not found"
                    + "|no such file or directory|does not exist|doesn't exist|unable to (?:find|locate))\\b");
    static final Pattern NO_RESULTS_PHRASE = Pattern.compile(
            "(?i)\\bno (?:more |search )?results?\\b|\\b0 results\\b|\\bzero results\\b|\\bno (?:matches|matching \\w+|documents|records|entries|hits)\\b"
                    + "|\\bnothing (?:was )?found\\b|\\bfound nothing\\b|\\breturned nothing\\b");
    private static final Pattern EMPTY_RESULT = Pattern.compile("(?i)^(?:none|null|nil)$");

    private final List<Pattern> extra;

    private ErrorRules(List<Pattern> extra) {
        this.extra = List.copyOf(extra);
    }

    /**
     * These rules plus extra patterns (Java regular expressions, found anywhere in an observation).
     *
     * @throws IllegalArgumentException naming the pattern that does not compile, or too many / too long patterns
     */
    public ErrorRules withPatterns(List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            return this;
        }
        if (patterns.size() + extra.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException("at most " + MAX_PATTERNS + " extra error patterns");
        }
        List<Pattern> all = new ArrayList<>(extra);
        for (String p : patterns) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException("an error pattern must not be empty");
            }
            if (p.length() > MAX_PATTERN_LENGTH) {
                throw new IllegalArgumentException("an error pattern is longer than " + MAX_PATTERN_LENGTH + " characters");
            }
            try {
                all.add(Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("error pattern '" + p + "' is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }
        return new ErrorRules(all);
    }

    /** The extra patterns, as given. */
    public List<String> patterns() {
        return extra.stream().map(Pattern::pattern).toList();
    }

    /** The id of the first rule that flags this observation, or null when none does. */
    public String match(String observation) {
        if (observation == null) {
            return null;
        }
        String o = observation.strip();
        if (o.isEmpty()) {
            return null;
        }
        String window = o.length() <= WINDOW ? o : o.substring(0, WINDOW / 2) + "\n" + o.substring(o.length() - WINDOW / 2);
        if (o.charAt(0) == '{' && o.length() <= 1_000_000 && errorObject(o)) {
            return TOOL_ERROR;
        }
        if (mayHoldTraceback(window) && TRACEBACK_PATTERN.matcher(window).find()) {
            return TRACEBACK;
        }
        if (mayHoldExitCode(window)) {
            Matcher exit = EXIT_PATTERN.matcher(window);
            while (exit.find()) {
                if (parseNonZero(exit.group(1))) {
                    return EXIT_CODE;
                }
            }
        }
        String head = head(window);
        if (mayHoldHttpStatus(head) && HTTP_PATTERN.matcher(head).find()) {
            return HTTP_ERROR;
        }
        String first = firstLine(o);
        boolean shortLine = first.length() <= SHORT_LINE;
        if (ERROR_OPENING.matcher(first).find() || (shortLine && ERROR_PHRASE.matcher(first).find())) {
            return ERROR_MESSAGE;
        }
        if (phrase(NOT_FOUND_PHRASE, first, shortLine)) {
            return NOT_FOUND;
        }
        if (EMPTY_RESULT.matcher(o).matches() || phrase(NO_RESULTS_PHRASE, first, shortLine)) {
            return NO_RESULTS;
        }
        for (Pattern p : extra) {
            if (Bounded.find(p, o)) {
                return PATTERN_PREFIX + p.pattern();
            }
        }
        return null;
    }

    /** What the HTTP status rule reads of a text: its first {@value #HTTP_HEAD} characters. */
    static String head(String text) {
        return text.length() > HTTP_HEAD ? text.substring(0, HTTP_HEAD) : text;
    }

    /** The first line of a stripped observation, stripped: what the message and phrase rules read. */
    static String firstLine(String observation) {
        int nl = observation.indexOf('\n');
        return (nl < 0 ? observation : observation.substring(0, nl)).strip();
    }

    /**
     * A phrase fires on a short first line, or on a long one only when it opens it (starts at one of its first
     * {@value #PHRASE_OPENING} characters). A long line is only tried there: a match starting at one of those positions
     * exists exactly when the leftmost match starts within them, and the bounds stay transparent so {@code \b} sees
     * the characters around.
     */
    static boolean phrase(Pattern p, String first, boolean shortLine) {
        Matcher m = p.matcher(first);
        if (shortLine) {
            return m.find();
        }
        m.useTransparentBounds(true);
        for (int start = 0; start < PHRASE_OPENING && start < first.length(); start++) {
            if (m.region(start, first.length()).lookingAt()) {
                return true;
            }
        }
        return false;
    }

    /*
     * Cheap tests run before the scanning patterns (measured on tau-bench's tool replies, 357 characters on average:
     * the seven patterns took about 100 µs per observation, mostly finding nothing). Each test is a necessary condition
     * of its pattern, true for every text the pattern finds something in, so a false one skips the pattern without
     * changing any result; ErrorRulesTest checks that on crafted texts and on the shared trajectories.
     */

    /**
     * Every alternative of {@link #TRACEBACK_PATTERN} holds one of its literals, or is a line that opens with white
     * space and then "at ".
     */
    static boolean mayHoldTraceback(String s) {
        return s.contains("Traceback (most recent call last):") || s.contains("Exception in thread \"") || s.contains("panic: ")
                || s.contains("goroutine ") || s.contains("' panicked at") || indentedAt(s);
    }

    /**
     * Whether some "at " follows white space that begins a line: the run of white space before it reaches the text's
     * start, holds a line break, or follows a line separator.
     */
    private static boolean indentedAt(String s) {
        for (int at = s.indexOf("at "); at >= 0; at = s.indexOf("at ", at + 1)) {
            int run = at;
            while (run > 0 && isRegexSpace(s.charAt(run - 1))) {
                run--;
            }
            if (run == at) {
                continue;
            }
            if (run == 0 || isLineTerminator(s.charAt(run - 1))) {
                return true;
            }
            for (int i = run; i < at; i++) {
                if (s.charAt(i) == '\n' || s.charAt(i) == '\r') {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every alternative of {@link #EXIT_PATTERN} opens with "exit" or "return", in any case. */
    static boolean mayHoldExitCode(String s) {
        return containsIgnoreCase(s, "exit") || containsIgnoreCase(s, "return");
    }

    /**
     * Every alternative of {@link #HTTP_PATTERN} holds "http/", "status" or "&lt;title&gt;" in any case, or a code
     * 4xx/5xx followed by white space (the reason-phrase alternative).
     */
    static boolean mayHoldHttpStatus(String s) {
        return containsIgnoreCase(s, "status") || containsIgnoreCase(s, "http/") || containsIgnoreCase(s, "<title>") || codeThenSpace(s);
    }

    private static boolean codeThenSpace(String s) {
        for (int i = 0; i + 3 < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '4' || c == '5') && isDigit(s.charAt(i + 1)) && isDigit(s.charAt(i + 2)) && isRegexSpace(s.charAt(i + 3))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code s} holds {@code lower} (ASCII, lower case) in any case. It finds at least what a pattern's
     * {@code (?i)} finds (ASCII case folding): {@link String#regionMatches(boolean, int, String, int, int)} folds more.
     */
    private static boolean containsIgnoreCase(String s, String lower) {
        char first = lower.charAt(0); // a letter or '<': c | 0x20 is it for both of an ASCII letter's cases
        int last = s.length() - lower.length();
        for (int i = 0; i <= last; i++) {
            if ((s.charAt(i) | 0x20) == first && s.regionMatches(true, i, lower, 0, lower.length())) {
                return true;
            }
        }
        return false;
    }

    /** {@code \s} without UNICODE_CHARACTER_CLASS. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** What ends a line for {@code (?m)^} without UNIX_LINES. */
    private static boolean isLineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /** {@code \d} without UNICODE_CHARACTER_CLASS. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean parseNonZero(String n) {
        try {
            return Integer.parseInt(n) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean errorObject(String o) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(o);
        } catch (Exception e) {
            return false;
        }
        if (n == null || !n.isObject()) {
            return false;
        }
        JsonNode error = n.get("error");
        if (error != null && !error.isNull() && !(error.isBoolean() && !error.asBoolean())
                && !(error.isTextual() && error.asText().isBlank()) && !(error.isContainerNode() && error.isEmpty())) {
            return true;
        }
        JsonNode errors = n.get("errors");
        if (errors != null && errors.isContainerNode() && !errors.isEmpty()) {
            return true;
        }
        for (String f : List.of("is_error", "isError")) {
            if (n.path(f).isBoolean() && n.get(f).asBoolean()) {
                return true;
            }
        }
        String status = n.path("status").isTextual() ? n.get("status").asText().toLowerCase(Locale.ROOT) : "";
        if (status.equals("error") || status.equals("failed") || status.equals("failure")) {
            return true;
        }
        for (String f : List.of("success", "ok")) {
            if (n.path(f).isBoolean() && !n.get(f).asBoolean()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Regular expressions from a request run over untrusted text: the text is read through a view that gives up after
     * a budget of character reads proportional to its length, so a catastrophically backtracking pattern ends as "no
     * match" instead of holding a thread.
     */
    public static final class Bounded implements CharSequence {
        private final CharSequence text;
        private final long[] budget;

        private Bounded(CharSequence text, long[] budget) {
            this.text = text;
            this.budget = budget;
        }

        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super("regular expression budget exhausted", null, false, false);
            }
        }

        private static long budgetFor(CharSequence s) {
            return 1_000_000L + 200L * s.length();
        }

        /** {@code p.matcher(text).find()} with bounded work; false when the budget runs out. */
        public static boolean find(Pattern p, CharSequence text) {
            try {
                return p.matcher(new Bounded(text, new long[]{budgetFor(text)})).find();
            } catch (Exhausted e) {
                return false;
            }
        }

        /** The first match (its groups read after the budget no longer applies), or null when none or the budget runs out. */
        public static java.util.regex.MatchResult match(Pattern p, CharSequence text) {
            try {
                Matcher m = p.matcher(new Bounded(text, new long[]{budgetFor(text)}));
                return m.find() ? m.toMatchResult() : null;
            } catch (Exhausted e) {
                return null;
            }
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new Exhausted();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Bounded(text.subSequence(start, end), budget);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
