package dev.trace2skill.core.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BenchmarkCheckersTest {
    static Path data() {
        var d = SharedData.locate();
        assumeTrue(d.isPresent(), "shared data not found beside the repository");
        return d.get();
    }

    @Test
    void gsm8kGoldAnswersAllParse() {
        List<Task> tasks = TaskSets.load("gsm8k", data());
        assertThat(tasks).hasSize(1319);
        assertThat(tasks).allSatisfy(t -> assertThat(NumericChecker.parse(t.expected())).as(t.id()).isPresent());
        assertThat(tasks.get(0).expected()).isEqualTo("18");
    }

    /** Our checker against the file's own is_correct labels on all 4 × 1,319 model solutions. */
    @Test
    void gsm8kCheckerAgreesWithTheLabelsOnAtLeast99Percent() throws Exception {
        Path file = data().resolve("tasks/gsm8k/example_model_solutions.jsonl");
        Gsm8kChecker checker = new Gsm8kChecker();
        int total = 0;
        int agree = 0;
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode row = Json.mapper().readTree(line);
                for (var it = row.fields(); it.hasNext(); ) {
                    var f = it.next();
                    if (!f.getValue().isObject() || !f.getValue().has("is_correct")) {
                        continue;
                    }
                    total++;
                    String solution = f.getValue().path("solution").asText();
                    boolean label = f.getValue().path("is_correct").asBoolean();
                    Verdict v = checker.check(solution, row.path("ground_truth").asText());
                    if (v.correct() == label) {
                        agree++;
                    } else {
                        String kind = (label ? "labelled correct, we say wrong" : "labelled wrong, we say correct")
                                + (Gsm8kChecker.extract(solution).isEmpty() ? " (no answer found)"
                                : solution.strip().lines().reduce((a, b) -> b).orElse("").startsWith("A:") ? " (final A: line)" : " (no final A: line)");
                        kinds.computeIfAbsent(kind, k -> new ArrayList<>()).add(f.getKey() + ": ..."
                                + tail(solution) + " | gold " + tail(row.path("ground_truth").asText()));
                    }
                }
            }
        }
        double rate = (double) agree / total;
        System.out.printf("GSM8K checker vs is_correct labels: %d of %d agree (%.4f)%n", agree, total, rate);
        kinds.forEach((k, ex) -> {
            System.out.println("  " + ex.size() + " × " + k);
            ex.stream().limit(3).forEach(e -> System.out.println("      " + e));
        });
        assertThat(total).isEqualTo(5276);
        assertThat(rate).isGreaterThanOrEqualTo(0.99);
    }

    static String tail(String s) {
        String one = s.strip().replace('\n', ' ');
        return one.length() <= 90 ? one : one.substring(one.length() - 90);
    }

    /** Rules of the official WikiTableQuestions evaluator (evaluator.py), one case each. */
    @ParameterizedTest(name = "{0}: {1} vs {2} -> {3}")
    @CsvSource(delimiter = ';', quoteCharacter = '~', value = {
            "number equality within 1e-6;2;2.0;true",
            "integer vs float;1000;1000.0000001;true",
            "different numbers;3;4;false",
            "comma is not a number, compared as a string;1,000;1000;false",
            "comma string equals itself;100,000;100,000;true",
            "scientific notation parses;2e3;2000;true",
            "lower case;Italy;italy;true",
            "accents removed;José;jose;true",
            "curly quotes to straight;Rock ‘n’ Roll;rock 'n' roll;true",
            "en dash to hyphen;1990–91;1990-91;true",
            "trailing citation removed;Mexico[1];mexico;true",
            "trailing dagger removed;Gold†;gold;true",
            "trailing asterisk removed;Smith*;smith;true",
            "trailing parenthesised detail removed;Paris (France);paris;true",
            "leading parenthesis kept;(2);(2);true",
            "outer quotes removed;\"Yellow Submarine\";yellow submarine;true",
            "final period removed;Ltd.;ltd;true",
            "white space collapsed;New   York;new york;true",
            "full date equals;2004-05-06;2004-05-06;true",
            "partial date with xx;1998-xx-xx;1998-xx-xx;true",
            "dates differ by day;2004-05-06;2004-05-07;false",
            "date vs different year;1998-xx-xx;1999-xx-xx;false",
            "several values any order;a|b;b|a;true",
            "missing a value;a|b;a;false",
            "an extra value;a;a|b;false",
            "duplicates count once;a|a;a;true",
            "no partial credit;Italy|France;Italy|Spain;false",
            "escaped pipe inside one value;a\\pb;a|b;false",
            "escaped pipe matches itself;a\\pb;a\\pb;true",
            "empty answer;x;'';false"})
    void wikitqDenotationRules(String rule, String gold, String predicted, boolean correct) {
        assertThat(new WikiTqChecker().check(predicted.equals("''") ? "" : predicted, gold).correct()).as(rule).isEqualTo(correct);
    }

    @Test
    void everyWikitqTargetMatchesItself() {
        List<Task> tasks = TaskSets.load("wikitq", data());
        assertThat(tasks).hasSize(4344);
        assertThat(tasks.get(0).id()).isEqualTo("nu-0");
        assertThat(tasks.get(0).context()).containsEntry("table", "csv/203-csv/733.csv");
        WikiTqChecker c = new WikiTqChecker();
        assertThat(tasks).allSatisfy(t -> assertThat(c.check(t.expected(), t.expected()).correct()).as(t.id()).isTrue());
        assertThat(WikiTqChecker.unescapeTsv("a\\pb\\nc\\\\")).isEqualTo("a|b\nc\\");
    }

    @Test
    void mathTaskSetsAndAnswers() {
        assertThat(TaskSets.load("aime24", data())).hasSize(30);
        assertThat(TaskSets.load("amc23", data())).hasSize(40);
        MathChecker m = new MathChecker();
        assertThat(m.check("so the answer is \\boxed{204}", "204").correct()).isTrue();
        assertThat(m.check("\\boxed{033}", "33").correct()).isTrue();
        assertThat(m.check("\\boxed{\\frac{3}{4}}", "0.75").correct()).isTrue();
        assertThat(m.check("The final answer is $\\dfrac{1}{2}$.", "\\frac{1}{2}").correct()).isTrue();
        assertThat(m.check("\\boxed{205}", "204").correct()).isFalse();
        assertThat(m.check("\\boxed{\\sqrt{2}}", "\\sqrt{2}").correct()).isTrue();
    }
}
