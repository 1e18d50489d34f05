package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.trajectory.ErrorRules;

import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which part of a record is the task (the trajectory's query), for every format ({@code ?query=}):
 * <ul>
 *   <li>absent: the format's own choice (the first user message, a {@code Question:} line, a problem statement);</li>
 *   <li>{@code first-user}: the first user message;</li>
 *   <li>{@code last-user}: the last user message before the agent's first turn (when instructions or examples come as
 *       user messages ahead of the task); the user messages before it are treated as the agent's prompt
 *       ({@code system=skip|metadata});</li>
 *   <li>a JSON pointer ({@code /info/task/instruction}): that field of the source record (text, or the text of
 *       content parts);</li>
 *   <li>{@code regex:<pattern>}: a Java regular expression over the first user message; the query is its group named
 *       {@code query}, else its first group, else the whole match.</li>
 * </ul>
 * Instruction templates (Alpaca {@code ### Instruction:}, ChatML, Llama, Vicuna, Gemma) are unwrapped from the chosen
 * message ({@link InstructionTemplates}), except for a regex, which takes exactly what it matches.
 */
public final class QueryChoice {
    public enum Kind { DEFAULT, FIRST_USER, LAST_USER, POINTER, REGEX }

    public static final QueryChoice DEFAULT = new QueryChoice(Kind.DEFAULT, null, null);
    public static final String REGEX_PREFIX = "regex:";
    static final int MAX_SPEC = 500;

    private final Kind kind;
    private final String pointer;
    private final Pattern regex;

    private QueryChoice(Kind kind, String pointer, Pattern regex) {
        this.kind = kind;
        this.pointer = pointer;
        this.regex = regex;
    }

    /** @throws IllegalArgumentException saying what is wrong with the option */
    public static QueryChoice parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return DEFAULT;
        }
        if (spec.length() > MAX_SPEC) {
            throw new IllegalArgumentException("is longer than " + MAX_SPEC + " characters");
        }
        String s = spec.strip();
        if (s.equals("first-user")) {
            return new QueryChoice(Kind.FIRST_USER, null, null);
        }
        if (s.equals("last-user")) {
            return new QueryChoice(Kind.LAST_USER, null, null);
        }
        if (s.startsWith("/")) {
            try {
                com.fasterxml.jackson.core.JsonPointer.compile(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not a valid JSON pointer: " + e.getMessage());
            }
            return new QueryChoice(Kind.POINTER, s, null);
        }
        if (s.startsWith(REGEX_PREFIX)) {
            String p = s.substring(REGEX_PREFIX.length());
            if (p.isBlank()) {
                throw new IllegalArgumentException("regex: needs a pattern");
            }
            try {
                return new QueryChoice(Kind.REGEX, null, Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + p + "' is not a valid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex());
            }
        }
        throw new IllegalArgumentException("must be first-user, last-user, a JSON pointer (/field/...) or regex:<pattern>, not '" + s + "'");
    }

    public Kind kind() {
        return kind;
    }

    /** The option as given (for reports and error messages). */
    public String describe() {
        return switch (kind) {
            case DEFAULT -> "the format's default";
            case FIRST_USER -> "first-user";
            case LAST_USER -> "last-user";
            case POINTER -> pointer;
            case REGEX -> REGEX_PREFIX + regex.pattern();
        };
    }

    /** Which of the user messages before the agent's first turn is the task (the ones before it are the agent's prompt). */
    int selectedPromptIndex(int promptMessages) {
        return kind == Kind.LAST_USER ? Math.max(0, promptMessages - 1) : 0;
    }

    /**
     * The chosen query, or why there is none.
     *
     * @param template the instruction template unwrapped from it, or null
     * @param system   the template's system part, or null
     */
    public record Selected(String query, String error, String template, String system) {
        static Selected of(String q) {
            return new Selected(q, null, null, null);
        }

        static Selected unwrapped(String raw) {
            InstructionTemplates.Unwrapped u = InstructionTemplates.unwrap(raw);
            return new Selected(u.user().strip(), null, u.template(), u.system());
        }

        static Selected failed(String why) {
            return new Selected(null, why, null, null);
        }
    }

    /**
     * @param record       the source record (for a JSON pointer)
     * @param prompt       the user messages before the agent's first turn, in order (may be empty)
     * @param formatChoice the format's own choice when no option is given (may be null)
     */
    public Selected select(JsonNode record, List<String> prompt, String formatChoice) {
        return switch (kind) {
            case DEFAULT -> formatChoice != null ? Selected.of(formatChoice)
                    : prompt.isEmpty() ? Selected.failed("no user message: the first user message is the query") : Selected.unwrapped(prompt.get(0));
            case FIRST_USER -> prompt.isEmpty() ? Selected.failed("query=first-user: the record has no user message")
                    : Selected.unwrapped(prompt.get(0));
            case LAST_USER -> prompt.isEmpty() ? Selected.failed("query=last-user: the record has no user message before the agent's first turn")
                    : Selected.unwrapped(prompt.get(prompt.size() - 1));
            case POINTER -> {
                JsonNode n = record == null ? null : record.at(pointer);
                String text = n == null || n.isMissingNode() || n.isNull() ? null : Nodes.text(n);
                yield text == null || text.isBlank() ? Selected.failed("query=" + pointer + ": the record has no text there")
                        : Selected.unwrapped(text);
            }
            case REGEX -> {
                if (prompt.isEmpty()) {
                    yield Selected.failed("query=" + describe() + ": the record has no user message to match");
                }
                MatchResult m = ErrorRules.Bounded.match(regex, prompt.get(0));
                if (m == null) {
                    yield Selected.failed("query=" + describe() + ": the pattern does not match the first user message");
                }
                String q = group(m);
                yield q == null || q.isBlank() ? Selected.failed("query=" + describe() + ": the match is empty") : Selected.of(q.strip());
            }
        };
    }

    private static String group(MatchResult m) {
        if (m.namedGroups().containsKey("query")) {
            return m.group("query");
        }
        return m.groupCount() >= 1 ? m.group(1) : m.group();
    }
}
