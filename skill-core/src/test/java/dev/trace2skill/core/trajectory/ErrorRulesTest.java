package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ErrorRulesTest {
    static final ErrorRules RULES = ErrorRules.DEFAULT;

    static Path shared(String relative) {
        var p = SharedData.find(relative);
        assumeTrue(p.isPresent(), "shared data not found (" + relative + "): run with ../shared beside the repository");
        return p.get();
    }

    @Test
    void eachRuleNamesItself() {
        Map<String, String> cases = new TreeMap<>(Map.ofEntries(
                Map.entry("{\"error\": \"rate limited\"}", ErrorRules.TOOL_ERROR),
                Map.entry("{\"errors\": [{\"message\": \"bad id\"}]}", ErrorRules.TOOL_ERROR),
                Map.entry("{\"is_error\": true, \"content\": \"x\"}", ErrorRules.TOOL_ERROR),
                Map.entry("{\"status\": \"failed\", \"detail\": \"x\"}", ErrorRules.TOOL_ERROR),
                Map.entry("{\"success\": false}", ErrorRules.TOOL_ERROR),
                Map.entry("Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'", ErrorRules.TRACEBACK),
                Map.entry("Exception in thread \"main\" java.lang.NullPointerException\n\tat a.B.c(B.java:12)", ErrorRules.TRACEBACK),
                Map.entry("ran 3 tests\n    at com.acme.Main.run(Main.java:40)", ErrorRules.TRACEBACK),
                Map.entry("panic: runtime error: index out of range\n\ngoroutine 1 [running]:", ErrorRules.TRACEBACK),
                Map.entry("make: *** [all] Error 2\nexit code: 2", ErrorRules.EXIT_CODE),
                Map.entry("Command 'pytest' returned non-zero exit status 1.", ErrorRules.EXIT_CODE),
                Map.entry("{\"stdout\": \"\", \"returncode\": 127}", ErrorRules.EXIT_CODE),
                Map.entry("HTTP/1.1 503 Service Unavailable\nRetry-After: 3", ErrorRules.HTTP_ERROR),
                Map.entry("<html><head><title>404 Not Found</title></head></html>", ErrorRules.HTTP_ERROR),
                Map.entry("request failed with status code 429", ErrorRules.HTTP_ERROR),
                Map.entry("Error: flight HAT030 not available", ErrorRules.ERROR_MESSAGE),
                Map.entry("ValueError: invalid literal for int()", ErrorRules.ERROR_MESSAGE),
                Map.entry("bash: foo: command not found", ErrorRules.ERROR_MESSAGE),
                Map.entry("Could not find [Antic]. Similar: ['Antic', 'ANTIC']", ErrorRules.NOT_FOUND),
                Map.entry("ls: cannot access 'x': No such file or directory", ErrorRules.NOT_FOUND),
                Map.entry("File src/app.py not found", ErrorRules.NOT_FOUND),
                Map.entry("No results found for 'zeppelin line'.", ErrorRules.NO_RESULTS),
                Map.entry("None", ErrorRules.NO_RESULTS),
                Map.entry("No more results.", ErrorRules.NO_RESULTS)));
        cases.forEach((observation, rule) -> assertThat(RULES.match(observation)).as(observation).isEqualTo(rule));
    }

    @Test
    void ordinaryOutputIsNotAnError() {
        for (String ok : List.of("{\"order_id\": 7, \"status\": \"delivered\"}", "No errors found", "exit code: 0", "[]", "",
                "Process finished with exit code 0", "{\"error\": null, \"result\": 3}", "The HTTP 404 page is a famous joke.",
                "Found 1 matches for \"parse.py\" in /durations",
                // prose from a search snippet that merely mentions the words (a first line longer than a message)
                "The hand-extracting program the company claimed it had been building for years does not exist, and the founder"
                        + " later admitted that the logo and the business plan were invented as well.")) {
            assertThat(RULES.match(ok)).as(ok).isNull();
        }
    }

    @Test
    void extraPatternsAreCheckedAfterTheBuiltInRulesAndValidated() {
        ErrorRules withPatterns = RULES.withPatterns(List.of("(?i)quota exceeded", "E\\d{4}"));
        assertThat(withPatterns.match("daily quota exceeded for key 3")).isEqualTo("pattern:(?i)quota exceeded");
        assertThat(withPatterns.match("compiler said E0308 here")).isEqualTo("pattern:E\\d{4}");
        assertThat(withPatterns.match("Error: E0308")).as("a built-in rule fires first").isEqualTo(ErrorRules.ERROR_MESSAGE);
        assertThat(withPatterns.patterns()).containsExactly("(?i)quota exceeded", "E\\d{4}");
        assertThatThrownBy(() -> RULES.withPatterns(List.of("(unclosed"))).hasMessageContaining("'(unclosed' is not a valid regular expression");
        assertThatThrownBy(() -> RULES.withPatterns(List.of(" "))).hasMessageContaining("must not be empty");
    }

    @Test
    void aCatastrophicPatternGivesUpInsteadOfHanging() {
        ErrorRules evil = RULES.withPatterns(List.of("(a+)+$"));
        long start = System.nanoTime();
        assertThat(evil.match("a".repeat(5_000) + "!")).isNull();
        assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds").isLessThan(5_000);
    }

    /** Every tau-bench tool reply that the environment reported as an error ("Error: …") is flagged, and nothing else. */
    @Test
    void tauBenchToolErrorsAreRecognised() throws Exception {
        JsonNode raw = Json.mapper().readTree(shared("trajectories/tau-bench/gpt-4o-airline.json").toFile());
        int errors = 0;
        List<String> flaggedOther = new ArrayList<>();
        for (JsonNode r : raw) {
            for (JsonNode m : r.get("traj")) {
                if (!"tool".equals(m.path("role").asText())) {
                    continue;
                }
                String o = m.path("content").asText();
                String rule = RULES.match(o);
                if (o.startsWith("Error")) {
                    errors++;
                    assertThat(rule).as(o).isEqualTo(ErrorRules.ERROR_MESSAGE);
                } else if (rule != null) {
                    flaggedOther.add(rule + ": " + o);
                }
            }
        }
        assertThat(errors).isPositive();
        assertThat(flaggedOther).isEmpty();
    }

    /**
     * FireAct's HotpotQA search tool answers "None" when it finds nothing, and the agent's stray click[...] came back as
     * an exception: both are errors, each under its rule; the search results themselves are not.
     */
    @Test
    void fireActNoResultsAndToolExceptionsAreRecognised() throws Exception {
        JsonNode raw = Json.mapper().readTree(shared("trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json").toFile());
        Map<String, Integer> byRule = new TreeMap<>();
        int observations = 0;
        var it = raw.fields();
        while (it.hasNext()) {
            for (JsonNode m : it.next().getValue().get("traj")) {
                String c = m.path("content").asText();
                if (!"user".equals(m.path("role").asText()) || !c.startsWith("Observation:")) {
                    continue;
                }
                observations++;
                String o = c.substring("Observation:".length()).strip();
                String rule = RULES.match(o);
                if (o.equals("None")) {
                    assertThat(rule).isEqualTo(ErrorRules.NO_RESULTS);
                }
                if (o.contains("generated an exception: Unknown tool name")) {
                    assertThat(rule).isEqualTo(ErrorRules.ERROR_MESSAGE);
                }
                if (rule != null) {
                    byRule.merge(rule, 1, Integer::sum);
                }
            }
        }
        assertThat(byRule.get(ErrorRules.NO_RESULTS)).isGreaterThanOrEqualTo(7);
        assertThat(byRule.get(ErrorRules.ERROR_MESSAGE)).isEqualTo(1);
        assertThat(byRule.values().stream().mapToInt(Integer::intValue).sum()).as("flagged of " + observations + ": " + byRule)
                .isLessThan(observations / 50);
    }

    /**
     * The cheap tests that run before the scanning patterns are necessary conditions: wherever a pattern finds
     * something, its test says it may. Checked on texts made to sit at each test's edges and on every text of the
     * shared tau-bench and FireAct trajectories.
     */
    @Test
    void theTestsBeforeEachPatternNeverSkipAMatch() throws Exception {
        List<String> texts = new ArrayList<>(List.of(
                "ran\n    at com.acme.Main.run(Main.java:40)", "ran\r\n\tat a.B.c(B.java:1)", "x\u2028 at a.B(B.java:2)",
                "x\u0085\tat a.B(B.java:3)\n", "x\n\n  at a.B(B.java:4:5)", "seat at the back", "\tat a.B(B.java:9)",
                "Exception in thread \"main\" x", "y\npanic: boom", "goroutine 7 [running]:", "thread 'main' panicked at src/x.rs",
                "Traceback (most recent call last):", "EXIT CODE: 3", "Exited With Status 1", "ReturnCode=2", "\"returncode\": 127",
                "exitcode 0", "HTTP/2 404", "http/1.1 500 oops", "STATUS: 503", "statusCode=429", "Http_Status 404",
                "<TITLE> 502 Bad Gateway", "got 404 Not Found", "503\tservice unavailable", "1404 not found", "4040 Not Found"));
        collectTexts(Json.mapper().readTree(shared("trajectories/tau-bench/gpt-4o-airline.json").toFile()), texts);
        collectTexts(Json.mapper().readTree(shared("trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json").toFile()), texts);
        int traceback = 0;
        int exit = 0;
        int http = 0;
        for (String t : texts) {
            if (ErrorRules.TRACEBACK_PATTERN.matcher(t).find()) {
                traceback++;
                assertThat(ErrorRules.mayHoldTraceback(t)).as(t).isTrue();
            }
            if (ErrorRules.EXIT_PATTERN.matcher(t).find()) {
                exit++;
                assertThat(ErrorRules.mayHoldExitCode(t)).as(t).isTrue();
            }
            if (ErrorRules.HTTP_PATTERN.matcher(t).find()) {
                http++;
                assertThat(ErrorRules.mayHoldHttpStatus(t)).as(t).isTrue();
            }
        }
        assertThat(traceback).isGreaterThanOrEqualTo(10);
        assertThat(exit).isGreaterThanOrEqualTo(4);
        assertThat(http).isGreaterThanOrEqualTo(8);
        assertThat(ErrorRules.mayHoldTraceback("seat at the back")).as("\"at \" inside a line").isFalse();
        assertThat(ErrorRules.mayHoldHttpStatus("{\"price\": 450, \"seats\": 3}")).isFalse();
        assertThat(ErrorRules.mayHoldExitCode("{\"flight\": \"HAT001\"}")).isFalse();
    }

    /**
     * On a first line longer than {@value ErrorRules#SHORT_LINE} characters a phrase rule fires only when its match opens
     * the line; trying the first {@value ErrorRules#PHRASE_OPENING} positions gives what finding the leftmost match and
     * checking where it starts gave, including a match that runs past them ("no matching" and a long word).
     */
    @Test
    void aPhraseOnALongLineIsTriedOnlyWhereItCouldOpenIt() throws Exception {
        String tail = " " + "and the rest of a long line of search results ".repeat(4);
        List<String> lines = new ArrayList<>(List.of("No matching " + "x".repeat(300) + tail, "  not found: " + tail,
                "... no results" + tail, "xx no results" + tail, "the page does not exist" + tail, "No results." + tail,
                "Could not find [Antic]." + tail, "unable to locate" + tail));
        List<String> texts = new ArrayList<>();
        collectTexts(Json.mapper().readTree(shared("trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json").toFile()), texts);
        for (String t : texts) {
            String first = ErrorRules.firstLine(t.strip());
            if (first.length() > ErrorRules.SHORT_LINE) {
                lines.add(first);
            }
        }
        int fired = 0;
        for (String line : lines) {
            assertThat(line.length()).isGreaterThan(ErrorRules.SHORT_LINE);
            for (java.util.regex.Pattern p : List.of(ErrorRules.NOT_FOUND_PHRASE, ErrorRules.NO_RESULTS_PHRASE)) {
                java.util.regex.Matcher m = p.matcher(line);
                boolean before = m.find() && m.start() <= 3;
                fired += before ? 1 : 0;
                assertThat(ErrorRules.phrase(p, line, false)).as(p + " on " + line).isEqualTo(before);
            }
        }
        assertThat(fired).isGreaterThanOrEqualTo(6);
        assertThat(lines.size()).isGreaterThan(100);
    }

    private static void collectTexts(JsonNode node, List<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> collectTexts(child, out));
    }
}
