package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ImportersTest {
    static Path shared(String relative) {
        var p = SharedData.find(relative);
        assumeTrue(p.isPresent(), "shared data not found (" + relative + "): run with ../shared beside the repository");
        return p.get();
    }

    static List<ImportRecord> read(String text, boolean ndjson, String format) throws IOException {
        return TrajectoryImporters.readAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), ndjson, format,
                ImportOptions.defaults("test"));
    }

    static List<ImportRecord> read(Path file, String format, String prefix) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return TrajectoryImporters.readAll(in, false, format, ImportOptions.defaults(prefix));
        }
    }

    @Test
    void tauBenchImportsWithOutcomesToolCallsAndObservations() throws IOException {
        Path file = shared("trajectories/tau-bench/gpt-4o-airline.json");
        List<ImportRecord> records = read(file, "openai-messages", "tau-airline");
        assertThat(records).hasSize(200).allMatch(ImportRecord::ok);
        List<Trajectory> ts = records.stream().map(ImportRecord::trajectory).toList();
        assertThat(ts.stream().filter(Trajectory::successful).count()).isEqualTo(84);
        assertThat(ts.stream().map(Trajectory::id).distinct().count()).isEqualTo(200);

        // independently: count tool_calls and tool replies in the raw file
        JsonNode raw = Json.mapper().readTree(file.toFile());
        int toolCalls = 0;
        int toolReplies = 0;
        for (JsonNode r : raw) {
            for (JsonNode m : r.get("traj")) {
                toolCalls += m.path("tool_calls").size();
                toolReplies += "tool".equals(m.path("role").asText()) ? 1 : 0;
            }
        }
        long importedCalls = ts.stream().flatMap(t -> t.steps().stream())
                .filter(s -> s.action() != null && !s.action().tool().equals("respond")).count();
        long observedCalls = ts.stream().flatMap(t -> t.steps().stream())
                .filter(s -> s.action() != null && !s.action().tool().equals("respond") && s.observation() != null).count();
        assertThat(importedCalls).isEqualTo(toolCalls);
        assertThat(observedCalls).isEqualTo(toolReplies);

        Trajectory first = ts.get(0);
        assertThat(first.id()).isEqualTo("tau-airline-0-0");
        assertThat(first.taskId()).isEqualTo("0");
        assertThat(first.query()).isEqualTo("Hi! I'm looking to book a flight from New York to Seattle on May 20th.");
        assertThat(first.successful()).isFalse();
        assertThat(first.outcome().reward()).isEqualTo(0.0);
        Step lookup = first.steps().stream().filter(s -> s.action() != null && s.action().tool().equals("get_user_details"))
                .findFirst().orElseThrow();
        assertThat(lookup.action().arguments()).isEqualTo(Json.mapper().createObjectNode().put("user_id", "mia_li_3668"));
        assertThat(lookup.observation()).startsWith("{\"name\": {\"first_name\": \"Mia\"");
        assertThat(first.steps().get(0).action().tool()).isEqualTo("respond");
        assertThat(first.steps().get(0).observation()).isEqualTo("Sure, my user ID is mia_li_3668.");
        assertThat(first.expectedAnswer()).startsWith("[{\"name\":\"book_reservation\"");
        assertThat(first.metadata()).containsKeys("systemPromptChars", "systemPromptSha256", "trial");
        assertThat(ts.stream().flatMap(t -> t.steps().stream()).filter(s -> Boolean.TRUE.equals(s.error()))
                .map(s -> s.observation()).allMatch(o -> o.startsWith("Error"))).isTrue();
    }

    @Test
    void fireActImportsWithOutcomesExpectedAnswersAndActions() throws IOException {
        Path file = shared("trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json");
        List<ImportRecord> records = read(file, "react", "fireact");
        assertThat(records).hasSize(465).allMatch(ImportRecord::ok);
        List<Trajectory> ts = records.stream().map(ImportRecord::trajectory).toList();
        assertThat(ts.stream().filter(Trajectory::successful).count()).isEqualTo(200);

        JsonNode raw = Json.mapper().readTree(file.toFile());
        Map<String, Long> expected = new java.util.TreeMap<>();
        Pattern action = Pattern.compile("Action:\\s*(\\w+)\\[");
        raw.fields().forEachRemaining(e -> {
            for (JsonNode m : e.getValue().get("traj")) {
                if ("assistant".equals(m.path("role").asText())) {
                    Matcher matcher = action.matcher(m.get("content").asText());
                    while (matcher.find()) {
                        expected.merge(matcher.group(1), 1L, Long::sum);
                    }
                }
            }
        });
        Map<String, Long> imported = ts.stream().flatMap(t -> t.steps().stream()).filter(s -> s.action() != null)
                .collect(Collectors.groupingBy(s -> s.action().tool(), java.util.TreeMap::new, Collectors.counting()));
        assertThat(imported).isEqualTo(expected);
        assertThat(imported.keySet()).containsExactlyInAnyOrder("search", "finish", "click");

        Trajectory first = ts.stream().filter(t -> t.id().equals("fireact-6238")).findFirst().orElseThrow();
        assertThat(first.query()).isEqualTo("Who created the show with Wendy Schaal doing the voice of Francine?");
        assertThat(first.expectedAnswer()).isEqualTo("seth macfarlane");
        assertThat(first.finalAnswer()).isEqualTo("Seth MacFarlane");
        assertThat(first.successful()).isTrue();
        assertThat(first.steps()).singleElement().satisfies(s -> {
            assertThat(s.reasoning()).startsWith("Wendy Schaal does the voice of Francine");
            assertThat(s.action().tool()).isEqualTo("finish");
            assertThat(s.action().arguments().get("input").asText()).isEqualTo("Seth MacFarlane");
            assertThat(s.observation()).isEqualTo("Episode finished, reward = True");
        });
    }

    @Test
    void plainTextReactBlocks() throws IOException {
        String text = "{\"id\":\"r1\",\"success\":false,\"expected_answer\":\"1889\",\"text\":"
                + Json.write("Question: When was the Eiffel Tower finished?\nThought 1: I should search it.\nAction 1: search[Eiffel Tower]\n"
                + "Observation 1: The Eiffel Tower is a wrought-iron lattice tower.\nIt was completed in 1889.\nThought 2: Done.\nAction 2: finish[1887]") + "}";
        Trajectory t = read(text, false, "react").get(0).trajectory();
        assertThat(t.query()).isEqualTo("When was the Eiffel Tower finished?");
        assertThat(t.steps()).hasSize(2);
        assertThat(t.steps().get(0).reasoning()).isEqualTo("I should search it.");
        assertThat(t.steps().get(0).action().tool()).isEqualTo("search");
        assertThat(t.steps().get(0).observation()).isEqualTo("The Eiffel Tower is a wrought-iron lattice tower.\nIt was completed in 1889.");
        assertThat(t.finalAnswer()).isEqualTo("1887");
        assertThat(t.expectedAnswer()).isEqualTo("1889");
        assertThat(t.successful()).isFalse();
    }

    @Test
    void otlpTracesFollowTheGenAiConventions() throws IOException {
        List<ImportRecord> records = read(Path.of("src/test/resources/importers/otlp-traces.json"), "otlp-json", "otel");
        assertThat(records).hasSize(3);
        Trajectory billing = records.get(0).trajectory();
        assertThat(billing.id()).isEqualTo("otel-5b8efff798038103d269b633813fc60c");
        assertThat(billing.query()).isEqualTo("What is the total of invoice 17?");
        assertThat(billing.taskId()).isEqualTo("invoice-17");
        assertThat(billing.successful()).isTrue();
        assertThat(billing.expectedAnswer()).isEqualTo("42.50");
        assertThat(billing.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(billing.usage().promptTokens()).isEqualTo(280);
        assertThat(billing.usage().completionTokens()).isEqualTo(27);
        assertThat(billing.steps()).singleElement().satisfies(s -> {
            assertThat(s.reasoning()).isEqualTo("I will look the invoice up.");
            assertThat(s.action().tool()).isEqualTo("get_invoice");
            assertThat(s.action().arguments().get("invoice_id").asInt()).isEqualTo(17);
            assertThat(s.observation()).isEqualTo("{\"lines\": [20.0, 22.5]}");
        });
        assertThat(billing.finalAnswer()).isEqualTo("The total is 42.50.");

        Trajectory refund = records.get(1).trajectory();
        assertThat(refund.successful()).isFalse();
        assertThat(refund.query()).isEqualTo("Refund order 991.");
        assertThat(refund.steps()).singleElement().satisfies(s -> {
            assertThat(s.action().tool()).isEqualTo("refund_order");
            assertThat(s.error()).isTrue();
            assertThat(s.reasoning()).isEqualTo("Calling the refund tool.");
        });

        ImportRecord noOutcome = records.get(2);
        assertThat(noOutcome.ok()).isFalse();
        assertThat(noOutcome.sourceKey()).isEqualTo("ffffffffffffffffffffffffffffff01");
        assertThat(noOutcome.errors()).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("t2s.outcome.success"));
    }

    @Test
    void sweAgentTrajectories() throws IOException {
        String traj = Files.readString(Path.of("src/test/resources/importers/swe-agent.traj"));
        Trajectory t = read(traj, false, "swe-agent").get(0).trajectory();
        assertThat(t.id()).isEqualTo("test-psf__requests-2317");
        assertThat(t.successful()).isTrue();
        assertThat(t.toolSequence()).containsExactly("search_file", "open", "edit", "submit");
        assertThat(t.steps().get(2).action().arguments().get("input").asText()).startsWith("428:428\n");
        assertThat(t.usage().promptTokens()).isEqualTo(38211);
        assertThat(t.finalAnswer()).contains("to_native_string");

        String unlabelled = traj.replace("\"resolved\": true", "\"api\": 1");
        ImportRecord rejected = read(unlabelled, false, "swe-agent").get(0);
        assertThat(rejected.ok()).isFalse();
        assertThat(rejected.errors()).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("info.resolved"));
        var lenient = TrajectoryImporters.readAll(new ByteArrayInputStream(unlabelled.getBytes(StandardCharsets.UTF_8)), false,
                "swe-agent", new ImportOptions("test", null, ImportOptions.DEFAULT_MAX_RECORD_BYTES, true));
        assertThat(lenient.get(0).trajectory().successful()).isTrue();
        String exitCost = unlabelled.replace("\"exit_status\": \"submitted\"", "\"exit_status\": \"exit_cost\"");
        assertThat(read(exitCost, false, "swe-agent").get(0).trajectory().successful()).isFalse();
    }

    @Test
    void nativeNdjsonKeyedAndSingleRecords() throws IOException {
        String a = "{\"id\":\"a\",\"query\":\"q\",\"outcome\":{\"success\":true}}";
        String b = "{\"id\":\"b\",\"query\":\"q\",\"outcome\":{\"success\":false},\"steps\":[{\"action\":{\"tool\":\"t\",\"arguments\":{\"x\":1}}}]}";
        assertThat(read(a + "\n\n" + b + "\n", true, "trajectory")).extracting(r -> r.trajectory().id()).containsExactly("a", "b");
        assertThat(read("[" + a + "," + b + "]", false, "trajectory")).hasSize(2).allMatch(ImportRecord::ok);
        assertThat(read(a, false, "trajectory")).singleElement().matches(ImportRecord::ok);
        assertThat(read(a + "\n" + b, false, "trajectory")).hasSize(2).allMatch(ImportRecord::ok);
        String keyed = "{\"q1\": {\"reward\": true, \"gt\": \"x\", \"traj\": [{\"role\":\"user\",\"content\":\"Q?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Thought: t\\nAction: finish[x]\"}]}}";
        assertThat(read(keyed, false, "react")).singleElement().satisfies(r -> {
            assertThat(r.sourceKey()).isEqualTo("q1");
            assertThat(r.trajectory().id()).isEqualTo("test-q1");
        });
    }

    @Test
    void badRecordsAreRejectedOneByOneNamingRecordAndField() throws IOException {
        String good = "{\"id\":\"g\",\"query\":\"q\",\"outcome\":{\"success\":true}}";
        List<ImportRecord> rs = read(String.join("\n",
                good,
                "{\"id\":\"m\",\"query\":\"q\"}",
                "{\"id\":\"w\",\"query\":5,\"outcome\":{\"success\":true}}",
                "{\"id\":\"u\",\"query\":\"q\",\"outcome\":{\"success\":\"yes\"}}",
                "{\"id\":\"x\",\"query\":\"q\",\"outcome\":{\"success\":true},\"colour\":\"red\"}",
                "{not json",
                "[1,2]",
                "{\"id\":\"../etc\",\"query\":\"q\",\"outcome\":{\"success\":true}}",
                good.replace("\"g\"", "\"g2\"")), true, "trajectory");
        assertThat(rs).hasSize(9);
        assertThat(rs.get(0).ok()).isTrue();
        assertThat(rs.get(1).errors()).extracting(e -> e.field()).containsExactly("outcome");
        assertThat(rs.get(2).errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("query");
            assertThat(e.message()).startsWith("wrong type");
        });
        assertThat(rs.get(3).errors()).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("outcome.success"));
        assertThat(rs.get(4).errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("unknown field 'colour'"));
        assertThat(rs.get(5).errors()).singleElement().satisfies(e -> assertThat(e.message()).startsWith("malformed JSON"));
        assertThat(rs.get(6).errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("JSON object"));
        assertThat(rs.get(7).errors()).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("id"));
        assertThat(rs.get(8).ok()).isTrue();
        assertThat(rs).extracting(ImportRecord::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void tooLargeRecordsAndMalformedJsonMidStream() throws IOException {
        String good = "{\"id\":\"g%d\",\"query\":\"q\",\"outcome\":{\"success\":true}}";
        String big = "{\"id\":\"big\",\"query\":\"" + "x".repeat(5000) + "\",\"outcome\":{\"success\":true}}";
        ImportOptions small = ImportOptions.defaults("t").withMaxRecordBytes(1000);
        List<ImportRecord> nd = TrajectoryImporters.readAll(new ByteArrayInputStream(
                (good.formatted(1) + "\n" + big + "\n" + good.formatted(2)).getBytes(StandardCharsets.UTF_8)), true, "trajectory", small);
        assertThat(nd).hasSize(3);
        assertThat(nd.get(1).tooLarge()).isTrue();
        assertThat(nd.get(1).errors().get(0).message()).contains("too large");
        assertThat(nd.get(2).ok()).isTrue();

        List<ImportRecord> arr = TrajectoryImporters.readAll(new ByteArrayInputStream(
                ("[" + good.formatted(1) + "," + big + "," + good.formatted(2) + "]").getBytes(StandardCharsets.UTF_8)), false, "trajectory", small);
        assertThat(arr).extracting(ImportRecord::ok).containsExactly(true, false, true);
        assertThat(arr.get(1).tooLarge()).isTrue();

        List<ImportRecord> broken = read("[" + good.formatted(1) + "," + good.formatted(2) + ", {\"id\": \"x\", \"query\": ]", false, "trajectory");
        assertThat(broken).extracting(ImportRecord::ok).containsExactly(true, true, false);
        assertThat(broken.get(2).index()).isEqualTo(2);
        assertThat(broken.get(2).errors().get(0).message()).startsWith("malformed JSON");

        byte[] invalidUtf8 = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        assertThat(TrajectoryImporters.readAll(new ByteArrayInputStream(invalidUtf8), true, "trajectory", ImportOptions.defaults("t")))
                .singleElement().satisfies(r -> assertThat(r.errors().get(0).message()).isEqualTo("invalid UTF-8"));
    }

    /** NDJSON lines split across reads of any size: the same records, sizes and too-large verdicts for every chunking. */
    @Test
    void ndjsonLinesAcrossReadBoundaries() throws IOException {
        String good = "{\"id\":\"g%d\",\"query\":\"q\",\"outcome\":{\"success\":true}}";
        String frame = "{\"id\":\"lim\",\"query\":\"%s\",\"outcome\":{\"success\":true}}";
        String atLimit = frame.formatted("y".repeat(100 - frame.length() + 2));
        assertThat(atLimit.length()).isEqualTo(100);
        String overLimit = atLimit.replace("\"lim\"", "\"over\"");
        String text = good.formatted(1) + "\r\n" + atLimit + "\n\n" + overLimit + "\n" + "x".repeat(350) + "\n" + good.formatted(2);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ImportOptions limit100 = ImportOptions.defaults("t").withMaxRecordBytes(100);
        for (int chunk : new int[]{1, 2, 7, 64, 99, 100, 101, 4096}) {
            InputStream in = new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, chunk));
                }
            };
            List<ImportRecord> rs = TrajectoryImporters.readAll(in, true, "trajectory", limit100);
            assertThat(rs).as("chunks of " + chunk).extracting(ImportRecord::ok).containsExactly(true, true, false, false, true);
            assertThat(rs).extracting(ImportRecord::index).containsExactly(0, 1, 2, 3, 4);
            assertThat(rs).extracting(ImportRecord::bytes).containsExactly((long) good.formatted(1).length() + 1, 100L, 101L, 350L,
                    (long) good.formatted(2).length());
            assertThat(rs.get(2).tooLarge()).isTrue();
            assertThat(rs.get(3).tooLarge()).isTrue();
            assertThat(rs.get(4).trajectory().id()).isEqualTo("g2");
        }
    }

    @Test
    void missingOutcomeAndUnknownFormat() throws IOException {
        String noReward = "[{\"task_id\": 3, \"trial\": 1, \"traj\": [{\"role\": \"user\", \"content\": \"hi\"}]}]";
        assertThat(read(noReward, false, "openai-messages")).singleElement().satisfies(r -> {
            assertThat(r.index()).isZero();
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("reward");
                assertThat(e.message()).contains("missing outcome");
            });
        });
        assertThatThrownBy(() -> TrajectoryImporters.byFormat("csv"))
                .hasMessageContaining("unknown format 'csv'").hasMessageContaining("openai-messages");
    }
}
