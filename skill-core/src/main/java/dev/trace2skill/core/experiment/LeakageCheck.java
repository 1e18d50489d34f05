package dev.trace2skill.core.experiment;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a skill under test holds held-out (D_test) tasks or their answers. Every text file of the skill is read —
 * SKILL.md, references, assets, scripts — as the evaluated agent could read it; binary files are skipped.
 *
 * <p>Text is compared as words: lower case, Unicode-normalised (NFKC), every run of characters that are not letters
 * or digits a word break (so "$1,250." is the words "1 250"). A skill file leaks a task when
 * <ul>
 *   <li><b>question</b>: it contains {@value #QUESTION_WORDS} consecutive words of the task's question (the whole
 *       question when it is shorter, if it has at least {@value #MIN_QUESTION_WORDS} words);</li>
 *   <li><b>answer</b>: a paragraph of it (text between blank lines) holds the expected answer's words together with
 *       {@value #CONTEXT_WORDS} consecutive words of the question or the task's id — an answer is only evidence next
 *       to its task, since "18" alone is in every skill about arithmetic; an answer of at least
 *       {@value #DISTINCTIVE_ANSWER_CHARS} characters and two words counts anywhere;</li>
 *   <li><b>task id</b>: it names the task's id as a whole token (ids of at least {@value #MIN_ID_CHARS} characters
 *       that are not plain numbers, so "gsm8k-17" counts and "17" does not).</li>
 * </ul>
 */
public final class LeakageCheck {
    public static final int QUESTION_WORDS = 12;
    public static final int MIN_QUESTION_WORDS = 4;
    public static final int CONTEXT_WORDS = 8;
    public static final int DISTINCTIVE_ANSWER_CHARS = 16;
    public static final int MIN_ID_CHARS = 5;
    /** At most this many leaks are reported per skill (the first, by file and task). */
    public static final int MAX_REPORTED = 50;

    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{Nd}]+");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n\\s*\\n");

    private LeakageCheck() {
    }

    public enum Kind {
        QUESTION, ANSWER, TASK_ID;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One leak: a held-out task found in a file of the skill.
     *
     * @param file    the skill file
     * @param taskId  the D_test task
     * @param kind    what of the task was found
     * @param matched the words (or id) found, abbreviated
     */
    public record Leak(String file, String taskId, Kind kind, String matched) {
        public String describe() {
            return file + ": " + kind.wire() + " of held-out task " + taskId + " (\"" + matched + "\")";
        }
    }

    /** The leaks of {@code skill} against the held-out tasks, by file then task; empty when it holds none. */
    public static List<Leak> scan(SkillBundle skill, List<Task> heldOut) {
        List<Leak> out = new ArrayList<>();
        List<Probe> probes = heldOut.stream().map(Probe::of).toList();
        for (String path : skill.paths()) {
            if (!skill.isText(path)) {
                continue;
            }
            scanFile(path, skill.text(path), probes, out);
        }
        out.sort(Comparator.comparing(Leak::file).thenComparing(Leak::taskId).thenComparing(Leak::kind));
        return out.size() > MAX_REPORTED ? List.copyOf(out.subList(0, MAX_REPORTED)) : List.copyOf(out);
    }

    /** What is looked for of one task. */
    private record Probe(Task task, List<String> questionShingles, List<String> contextShingles, List<String> answer,
                         boolean distinctiveAnswer, Pattern id) {
        static Probe of(Task t) {
            List<String> q = words(t.question() == null ? "" : t.question());
            List<String> a = t.expected() == null ? List.of() : words(t.expected());
            String joined = String.join(" ", a);
            Pattern id = t.id() != null && t.id().length() >= MIN_ID_CHARS && !t.id().chars().allMatch(Character::isDigit)
                    ? Pattern.compile("(?<![\\p{L}\\p{Nd}_-])" + Pattern.quote(t.id()) + "(?![\\p{L}\\p{Nd}_])") : null;
            return new Probe(t, q.size() >= MIN_QUESTION_WORDS ? shingles(q, QUESTION_WORDS) : List.of(),
                    q.size() >= MIN_QUESTION_WORDS ? shingles(q, CONTEXT_WORDS) : List.of(), a,
                    a.size() >= 2 && joined.length() >= DISTINCTIVE_ANSWER_CHARS, id);
        }
    }

    private static void scanFile(String path, String text, List<Probe> probes, List<Leak> out) {
        List<String> fileWords = words(text);
        Set<String> fileShingles = new HashSet<>(shingles(fileWords, QUESTION_WORDS));
        // every paragraph's words, and which paragraphs hold each CONTEXT_WORDS-word run
        List<List<String>> paragraphs = new ArrayList<>();
        List<String> paragraphText = new ArrayList<>();
        Map<String, Set<Integer>> contextIndex = new HashMap<>();
        for (String para : BLANK_LINES.split(text)) {
            List<String> w = words(para);
            if (w.isEmpty()) {
                continue;
            }
            int i = paragraphs.size();
            paragraphs.add(w);
            paragraphText.add(para);
            for (String s : shingles(w, CONTEXT_WORDS)) {
                contextIndex.computeIfAbsent(s, k -> new HashSet<>()).add(i);
            }
        }
        for (Probe p : probes) {
            Set<Leak> found = new LinkedHashSet<>();
            for (String s : p.questionShingles()) {
                if (fileShingles.contains(s) || (s.split(" ").length < QUESTION_WORDS && containsRun(fileWords, List.of(s.split(" "))))) {
                    found.add(new Leak(path, p.task().id(), Kind.QUESTION, abbreviate(s)));
                    break;
                }
            }
            if (p.id() != null && p.id().matcher(text).find()) {
                found.add(new Leak(path, p.task().id(), Kind.TASK_ID, p.task().id()));
            }
            if (!p.answer().isEmpty()) {
                if (p.distinctiveAnswer() && containsRun(fileWords, p.answer())) {
                    found.add(new Leak(path, p.task().id(), Kind.ANSWER, abbreviate(String.join(" ", p.answer()))));
                } else {
                    Set<Integer> near = new LinkedHashSet<>();
                    for (String s : p.contextShingles()) {
                        near.addAll(contextIndex.getOrDefault(s, Set.of()));
                        if (s.split(" ").length < CONTEXT_WORDS) {
                            for (int i = 0; i < paragraphs.size(); i++) {
                                if (containsRun(paragraphs.get(i), List.of(s.split(" ")))) {
                                    near.add(i);
                                }
                            }
                        }
                    }
                    if (p.id() != null) {
                        for (int i = 0; i < paragraphText.size(); i++) {
                            if (p.id().matcher(paragraphText.get(i)).find()) {
                                near.add(i);
                            }
                        }
                    }
                    for (int i : near) {
                        if (containsRun(paragraphs.get(i), p.answer())) {
                            found.add(new Leak(path, p.task().id(), Kind.ANSWER, abbreviate(String.join(" ", p.answer()))));
                            break;
                        }
                    }
                }
            }
            out.addAll(found);
        }
    }

    /** Lower-case words, NFKC-normalised, split at every run of characters that are neither letters nor digits. */
    static List<String> words(String text) {
        String n = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (String w : NON_WORD.split(n)) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** Runs of {@code size} consecutive words joined by spaces; the whole text as one run when it is shorter. */
    static List<String> shingles(List<String> words, int size) {
        if (words.isEmpty()) {
            return List.of();
        }
        if (words.size() <= size) {
            return List.of(String.join(" ", words));
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i + size <= words.size(); i++) {
            out.add(String.join(" ", words.subList(i, i + size)));
        }
        return new ArrayList<>(out);
    }

    static boolean containsRun(List<String> haystack, List<String> needle) {
        if (needle.isEmpty() || needle.size() > haystack.size()) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.size() <= haystack.size(); i++) {
            for (int j = 0; j < needle.size(); j++) {
                if (!haystack.get(i + j).equals(needle.get(j))) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    /** Leaks grouped by file, for messages: file → the tasks it leaks. */
    public static Map<String, List<String>> byFile(List<Leak> leaks) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Leak l : leaks) {
            List<String> tasks = out.computeIfAbsent(l.file(), k -> new ArrayList<>());
            if (!tasks.contains(l.taskId())) {
                tasks.add(l.taskId());
            }
        }
        return out;
    }
}
