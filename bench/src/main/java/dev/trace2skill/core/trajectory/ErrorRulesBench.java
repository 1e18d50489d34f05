package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.json.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the error rules cost per observation, on every text of the shared tau-bench and FireAct trajectories: the
 * scanning patterns run alone over each text (what {@link ErrorRules#match} did before it tested for each pattern's
 * literals first) against the same patterns behind those tests, in the same run, alternating, after a warm-up; and
 * {@link ErrorRules#match} as a whole. It also checks that both ways find the same thing in every text. It sits in the
 * rules' package to reach their patterns. Run by hand:
 * <pre>java -cp "bench/target/classes:bench/target/lib/*" dev.trace2skill.core.trajectory.ErrorRulesBench [rounds]</pre>
 */
public final class ErrorRulesBench {
    private ErrorRulesBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> texts = new ArrayList<>();
        for (String file : List.of("trajectories/tau-bench/gpt-4o-airline.json", "trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json")) {
            Path p = SharedData.find(file).orElseThrow(() -> new IllegalStateException(file + " not found: run with ../shared beside the repository"));
            collect(Json.mapper().readTree(p.toFile()), texts);
        }
        long chars = texts.stream().mapToLong(String::length).sum();
        System.out.printf("texts: %d from the shared tau-bench and FireAct trajectories, %.0f characters on average%n",
                texts.size(), chars / (double) texts.size());
        for (String t : texts) {
            if (alone(t) != guarded(t)) {
                throw new IllegalStateException("the guarded patterns disagree with the patterns alone on: " + t);
            }
        }
        System.out.println("the guarded patterns find what the patterns alone find in every text");
        long aloneNs = 0;
        long guardedNs = 0;
        long matchNs = 0;
        int sink = 0;
        for (int round = 0; round <= rounds; round++) { // round 0 warms up and is not counted
            long t0 = System.nanoTime();
            for (String t : texts) {
                sink += alone(t);
            }
            long t1 = System.nanoTime();
            for (String t : texts) {
                sink += guarded(t);
            }
            long t2 = System.nanoTime();
            for (String t : texts) {
                sink += ErrorRules.DEFAULT.match(t) == null ? 0 : 1;
            }
            long t3 = System.nanoTime();
            if (round > 0) {
                aloneNs += t1 - t0;
                guardedNs += t2 - t1;
                matchNs += t3 - t2;
            }
        }
        long n = (long) texts.size() * rounds;
        System.out.printf("scanning patterns alone:   %.1f µs per text%n", aloneNs / 1e3 / n);
        System.out.printf("behind their tests:        %.1f µs per text  (%.1f× faster)%n", guardedNs / 1e3 / n, aloneNs / (double) guardedNs);
        System.out.printf("ErrorRules.match, whole:   %.1f µs per text  (%d rounds; checksum %d)%n", matchNs / 1e3 / n, rounds, sink);
    }

    /** The parts of a text the patterns read, as {@link ErrorRules#match} cuts them. */
    private record Parts(String text, String head, String first, boolean shortLine) {
        static Parts of(String text) {
            String o = text.strip();
            String first = ErrorRules.firstLine(o);
            return new Parts(o, ErrorRules.head(o), first, first.length() <= ErrorRules.SHORT_LINE);
        }
    }

    /** A bit per pattern: what it finds when run alone, as match() ran it before (phrases: a long first line only where it opens). */
    static int alone(String text) {
        Parts t = Parts.of(text);
        return bits(ErrorRules.TRACEBACK_PATTERN.matcher(t.text()).find(), ErrorRules.EXIT_PATTERN.matcher(t.text()).find(),
                ErrorRules.HTTP_PATTERN.matcher(t.head()).find(), leftmostOpens(ErrorRules.NOT_FOUND_PHRASE, t),
                leftmostOpens(ErrorRules.NO_RESULTS_PHRASE, t));
    }

    /** The same bits, each pattern behind its test as match() runs it now. */
    static int guarded(String text) {
        Parts t = Parts.of(text);
        return bits(ErrorRules.mayHoldTraceback(t.text()) && ErrorRules.TRACEBACK_PATTERN.matcher(t.text()).find(),
                ErrorRules.mayHoldExitCode(t.text()) && ErrorRules.EXIT_PATTERN.matcher(t.text()).find(),
                ErrorRules.mayHoldHttpStatus(t.head()) && ErrorRules.HTTP_PATTERN.matcher(t.head()).find(),
                ErrorRules.phrase(ErrorRules.NOT_FOUND_PHRASE, t.first(), t.shortLine()),
                ErrorRules.phrase(ErrorRules.NO_RESULTS_PHRASE, t.first(), t.shortLine()));
    }

    private static boolean leftmostOpens(Pattern p, Parts t) {
        var m = p.matcher(t.first());
        return m.find() && (t.shortLine() || m.start() < ErrorRules.PHRASE_OPENING);
    }

    private static int bits(boolean... found) {
        int b = 0;
        for (int i = 0; i < found.length; i++) {
            b |= found[i] ? 1 << i : 0;
        }
        return b;
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> collect(child, out));
    }
}
