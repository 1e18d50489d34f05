package dev.trace2skill.core.importers;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.ErrorRules;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each shape of agent log the importers read, from a small sample written for the test that reproduces the shape
 * (samples under {@code src/test/resources/importers/}): steps, actions, observations, outcome, query and id.
 */
class RealLogShapesTest {
    static String resource(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/importers", name));
    }

    static List<ImportRecord> read(String text, TrajectoryImporters.Shape shape, String format, ImportOptions options) throws IOException {
        return TrajectoryImporters.readAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), shape, format, options);
    }

    static List<Trajectory> accepted(List<ImportRecord> records) {
        assertThat(records).allSatisfy(r -> assertThat(r.ok()).as("record %d: %s", r.index(), r.errors()).isTrue());
        return records.stream().map(ImportRecord::trajectory).toList();
    }

    static ImportOptions opts() {
        return ImportOptions.defaults("t");
    }

    // ---- plain-text ReAct logs -----------------------------------------------------------------------------------

    @Test
    void plainTextLogSplitsAtQuestionsWithNumberedAndUnnumberedSteps() throws IOException {
        List<Trajectory> ts = accepted(read(resource("react-text-log.txt"), TrajectoryImporters.Shape.TEXT, "react", opts()));
        assertThat(ts).extracting(Trajectory::query).containsExactly(
                "What is the longest bridge in Ruritania?",
                "How many moons does the planet Vulcan have?",
                "Which river flows through the capital of Freedonia?",
                "In what year did the Zeppelin Line open?",
                "Who designed the Blue Tower of Lindenau?");

        Trajectory bridge = ts.get(0);
        assertThat(bridge.steps()).extracting(s -> s.action().tool()).containsExactly("search", "finish");
        assertThat(bridge.steps().get(0).reasoning()).isEqualTo("I should search for bridges in Ruritania.");
        assertThat(bridge.steps().get(0).action().arguments().get("input").asText()).isEqualTo("bridges of Ruritania");
        assertThat(bridge.steps().get(0).observation()).isEqualTo("The Strelsau Bridge, 2.4 km long, is the longest bridge in Ruritania.");
        assertThat(bridge.finalAnswer()).isEqualTo("Strelsau Bridge");
        assertThat(bridge.successful()).isFalse();
        assertThat(bridge.metadata()).containsEntry("labelSource", "log");

        Trajectory vulcan = ts.get(1);
        assertThat(vulcan.expectedAnswer()).isEqualTo("None");
        assertThat(vulcan.finalAnswer()).isEqualTo("none");
        assertThat(vulcan.successful()).as("no verdict line: the normalised exact match decides").isTrue();
        assertThat(vulcan.metadata()).containsEntry("labelSource", "exact-match");
        assertThat(vulcan.steps()).last().satisfies(s -> assertThat(s.observation()).isNull());

        Trajectory river = ts.get(2);
        assertThat(river.steps()).hasSize(3);
        assertThat(river.steps()).extracting(s -> s.action().tool()).containsExactly("Search", "Search", "Finish");
        assertThat(river.steps().get(0).observation()).startsWith("Could not find [capital of Freedonia]. Similar:");
        assertThat(river.steps().get(0).error()).isTrue();
        assertThat(river.steps().get(0).errorRule()).isEqualTo(ErrorRules.NOT_FOUND);
        assertThat(river.steps().get(1).error()).isNull();
        assertThat(river.steps().get(2).observation()).as("the 'Correct answer:' line is not part of the observation")
                .isEqualTo("Answer is CORRECT");
        assertThat(river.finalAnswer()).isEqualTo("Groucho");
        assertThat(river.expectedAnswer()).isEqualTo("the Groucho");
        assertThat(river.successful()).isTrue();
        assertThat(river.metadata()).containsEntry("trial", 1).containsEntry("logSection", "correct").containsEntry("labelSource", "log");

        Trajectory zeppelin = ts.get(3);
        assertThat(zeppelin.successful()).isFalse();
        assertThat(zeppelin.steps().get(0).observation()).contains("TimeoutError: the wiki did not answer");
        assertThat(zeppelin.steps().get(0).errorRule()).isEqualTo(ErrorRules.TRACEBACK);

        Trajectory tower = ts.get(4);
        assertThat(tower.successful()).as("a halted agent never answered").isFalse();
        assertThat(tower.metadata()).containsEntry("labelSource", "section").containsEntry("logSection", "halted");
        assertThat(tower.steps()).extracting(Step::errorRule).containsExactly(ErrorRules.NOT_FOUND, ErrorRules.NO_RESULTS);
        assertThat(tower.steps().get(1).action().tool()).isEqualTo("Lookup");
        assertThat(tower.finalAnswer()).isNull();

        assertThat(ts).allSatisfy(t -> assertThat(t.id()).matches("t-[0-9a-f]{16}"));
        assertThat(ts.stream().map(Trajectory::id).distinct()).hasSize(5);
    }

    @Test
    void textLogIdsDependOnContentNotPosition() throws IOException {
        String log = resource("react-text-log.txt");
        List<Trajectory> all = accepted(read(log, TrajectoryImporters.Shape.TEXT, "react", opts()));
        String onlyVulcan = log.substring(log.indexOf("Question: How many moons"), log.indexOf("########"));
        List<Trajectory> alone = accepted(read(onlyVulcan, TrajectoryImporters.Shape.TEXT, "react", opts()));
        assertThat(alone).singleElement().satisfies(t -> assertThat(t).isEqualTo(all.get(1)));
        assertThat(accepted(read(log, TrajectoryImporters.Shape.TEXT, "react", opts()))).isEqualTo(all);
    }

    @Test
    void labelsFileDecidesOverTheLogByQuestionText() throws IOException {
        Labels labels = Labels.parse("[{\"question\": \"what is the longest   bridge in Ruritania?\", \"correct\": true},"
                + "{\"question\": \"Who designed the Blue Tower of Lindenau?\", \"label\": \"correct\", \"expected\": \"Greta Halm\"}]");
        List<Trajectory> ts = accepted(read(resource("react-text-log.txt"), TrajectoryImporters.Shape.TEXT, "react", opts().withLabels(labels)));
        assertThat(ts.get(0).successful()).isTrue();
        assertThat(ts.get(0).metadata()).containsEntry("labelSource", "labels");
        assertThat(ts.get(4).successful()).isTrue();
        assertThat(ts.get(2).metadata()).containsEntry("labelSource", "log");
    }

    @Test
    void textRecordWithoutAnyVerdictIsRejectedNamingTheOutcome() throws IOException {
        List<ImportRecord> rs = read("Question: Who?\nThought: hm\nAction: finish[me]\n", TrajectoryImporters.Shape.TEXT, "react", opts());
        assertThat(rs).singleElement().satisfies(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("reward");
                assertThat(e.message()).contains("missing outcome").contains("labels file");
            });
        });
        assertThat(read("just some notes\nwithout questions\n", TrajectoryImporters.Shape.TEXT, "react", opts()))
                .singleElement().satisfies(r -> assertThat(r.errors().get(0).message()).contains("no record found"));
    }

    @Test
    void aTextRecordOverTheLimitIsSkippedAndTheNextOneRead() throws IOException {
        String big = "Question: big?\nThought: " + "x".repeat(5_000) + "\nAction: finish[a]\nObservation: Answer is CORRECT\n";
        String small = "Question: small?\nThought: t\nAction: finish[b]\nObservation: Answer is INCORRECT\n";
        List<ImportRecord> rs = read(big + "\n" + small, TrajectoryImporters.Shape.TEXT, "react", opts().withMaxRecordBytes(1_000));
        assertThat(rs).hasSize(2);
        assertThat(rs.get(0).tooLarge()).isTrue();
        assertThat(rs.get(1).trajectory().query()).isEqualTo("small?");
        assertThat(rs.get(1).trajectory().successful()).isFalse();
    }

    // ---- one-string transcripts in an instruction template -------------------------------------------------------

    @Test
    void oneStringTrajInAnAlpacaTemplate() throws IOException {
        List<Trajectory> ts = accepted(read(resource("react-one-string.json"), TrajectoryImporters.Shape.JSON, "react", opts()));
        Trajectory capital = ts.get(0);
        assertThat(capital.id()).isEqualTo("t-q-101");
        assertThat(capital.query()).isEqualTo("What is the capital of Freedonia?");
        assertThat(capital.metadata()).containsEntry("instructionTemplate", "alpaca").containsKey("systemPromptSha256")
                .doesNotContainKey("systemPrompt");
        assertThat(capital.steps()).extracting(s -> s.action().tool()).containsExactly("search", "finish");
        assertThat(capital.steps().get(0).observation()).isEqualTo("Freedonia is a fictional country whose capital is Marxburg.");
        assertThat(capital.steps().get(1).observation()).isEqualTo("Episode finished, reward = True");
        assertThat(capital.finalAnswer()).isEqualTo("Marxburg");
        assertThat(capital.expectedAnswer()).isEqualTo("marxburg");
        assertThat(capital.successful()).isTrue();

        Trajectory zeppelin = ts.get(1);
        assertThat(zeppelin.query()).as("instruction and input together are the task")
                .isEqualTo("Answer the question using the search tool.\n\nIn what year did the Zeppelin Line open?");
        assertThat(zeppelin.steps().get(0).observation()).isEqualTo("None");
        assertThat(zeppelin.steps().get(0).errorRule()).isEqualTo(ErrorRules.NO_RESULTS);
        assertThat(zeppelin.successful()).isFalse();

        List<Trajectory> inputOnly = accepted(read(resource("react-one-string.json"), TrajectoryImporters.Shape.JSON, "react",
                opts().withQuery(QueryChoice.parse("regex:(?s)### (?:Input|Instruction):\\s*(?<query>[^#]+?)\\s*### Response"))));
        assertThat(inputOnly.get(0).query()).isEqualTo("What is the capital of Freedonia?");
        assertThat(inputOnly.get(1).query()).isEqualTo("In what year did the Zeppelin Line open?");
    }

    // ---- SWE-agent ------------------------------------------------------------------------------------------------

    @Test
    void sweAgentIdsComeFromTheProblemIdAndDemonstrationsAreSkipped() throws IOException {
        Trajectory t = accepted(read(resource("swe-agent-with-demo.traj"), TrajectoryImporters.Shape.JSON, "swe-agent",
                opts().withSubmittedMeansSuccess(true))).get(0);
        assertThat(t.id()).isEqualTo("t-acme__durations-41");
        assertThat(t.taskId()).isEqualTo("acme__durations-41");
        assertThat(t.query()).isEqualTo("parse_duration('1h30m') raises ValueError: minutes are not supported");
        assertThat(t.metadata()).containsEntry("demonstrations", 1).containsKey("systemPromptSha256");
        assertThat(t.toolSequence()).containsExactly("python", "open", "find_file", "open", "edit", "python", "submit");
        assertThat(t.steps()).extracting(Step::errorRule)
                .containsExactly(ErrorRules.TRACEBACK, ErrorRules.NOT_FOUND, null, null, null, null, null);
        assertThat(t.finalAnswer()).contains("'m': 60");
        assertThat(t.usage().promptTokens()).isEqualTo(21000);
        assertThat(t.successful()).isTrue();

        Trajectory noId = accepted(read(resource("swe-agent-no-id.traj"), TrajectoryImporters.Shape.JSON, "swe-agent", opts())).get(0);
        assertThat(noId.query()).as("from the first user message that is not a demonstration").isEqualTo("slugify keeps repeated dashes");
        assertThat(noId.id()).matches("t-[0-9a-f]{16}");
        assertThat(noId.successful()).as("exit_cost: nothing was submitted").isFalse();
        assertThat(noId.steps().get(0).errorRule()).isEqualTo(ErrorRules.EXIT_CODE);
    }

    @Test
    void sweAgentFilesUploadedOneByOneOrTogetherGetTheSameIds() throws IOException {
        String a = resource("swe-agent-with-demo.traj");
        String b = resource("swe-agent-no-id.traj");
        ImportOptions o = opts().withSubmittedMeansSuccess(true);
        Trajectory aAlone = accepted(read(a, TrajectoryImporters.Shape.JSON, "swe-agent", o)).get(0);
        Trajectory bAlone = accepted(read(b, TrajectoryImporters.Shape.JSON, "swe-agent", o)).get(0);
        List<Trajectory> together = accepted(read("[" + b + "," + a + "]", TrajectoryImporters.Shape.JSON, "swe-agent", o));
        assertThat(together).containsExactly(bAlone, aAlone);
        List<Trajectory> concatenated = accepted(read(a + "\n" + b, TrajectoryImporters.Shape.JSON, "swe-agent", o));
        assertThat(concatenated).containsExactly(aAlone, bAlone);
    }

    @Test
    void sweAgentLabelsFromAResultsReport() throws IOException {
        Labels report = Labels.parse(resource("swe-bench-report.json"));
        Trajectory t = accepted(read(resource("swe-agent-with-demo.traj"), TrajectoryImporters.Shape.JSON, "swe-agent",
                opts().withLabels(report))).get(0);
        assertThat(t.successful()).isTrue();
        assertThat(t.metadata()).containsEntry("labelSource", "labels");
        String unresolved = resource("swe-agent-with-demo.traj").replace("acme__durations-41", "acme__slugs-7");
        assertThat(accepted(read(unresolved, TrajectoryImporters.Shape.JSON, "swe-agent", opts().withLabels(report))).get(0).successful()).isFalse();
        ImportRecord unknown = read(resource("swe-agent-with-demo.traj").replace("acme__durations-41", "acme__other-1"),
                TrajectoryImporters.Shape.JSON, "swe-agent", opts().withLabels(report)).get(0);
        assertThat(unknown.ok()).isFalse();
        assertThat(unknown.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("info.resolved");
            assertThat(e.message()).contains("labels file has no entry");
        });
    }

    // ---- chat logs with a system prompt ----------------------------------------------------------------------------

    @Test
    void chatLogWithItsOwnPromptAheadOfTheTask() throws IOException {
        String log = resource("chat-with-system-prompt.json");
        Trajectory byDefault = accepted(read(log, TrajectoryImporters.Shape.JSON, "openai-messages", opts())).get(0);
        assertThat(byDefault.query()).startsWith("INSTRUCTIONS FOR THIS SESSION");
        assertThat(byDefault.metadata()).doesNotContainKey("systemPrompt");

        Trajectory last = accepted(read(log, TrajectoryImporters.Shape.JSON, "openai-messages",
                opts().withQuery(QueryChoice.parse("last-user")).withSystem(ImportOptions.SystemPrompt.METADATA))).get(0);
        assertThat(last.query()).isEqualTo("TASK: Please refund order 1234, it arrived broken.");
        assertThat((String) last.metadata().get("systemPrompt")).startsWith("You are RefundBot.").contains("INSTRUCTIONS FOR THIS SESSION")
                .doesNotContain("TASK:");
        assertThat(last.steps()).extracting(s -> s.action().tool()).containsExactly("get_order", "search_orders", "respond");
        assertThat(last.steps().get(0).errorRule()).as("an error object").isEqualTo(ErrorRules.TOOL_ERROR);
        assertThat(last.steps().get(1).errorRule()).isEqualTo(ErrorRules.NO_RESULTS);
        assertThat(last.steps().get(2).observation()).as("a person's reply").isEqualTo("Oh, it is 1243. Sorry, I could not find my receipt.");
        assertThat(last.steps().get(2).error()).as("a person's reply is never checked by the error rules").isNull();
        assertThat(last.finalAnswer()).isEqualTo("I could not find order 1234; please check the number.");
        assertThat(last.successful()).isFalse();
        assertThat(last.id()).matches("t-[0-9a-f]{16}").isNotEqualTo(byDefault.id());

        Trajectory regex = accepted(read(log, TrajectoryImporters.Shape.JSON, "openai-messages",
                opts().withQuery(QueryChoice.parse("regex:EXAMPLE: '([^']+)'")))).get(0);
        assertThat(regex.query()).isEqualTo("Refund order 7");
        Trajectory pointer = accepted(read(log, TrajectoryImporters.Shape.JSON, "openai-messages",
                opts().withQuery(QueryChoice.parse("/messages/2/content")))).get(0);
        assertThat(pointer.query()).isEqualTo("TASK: Please refund order 1234, it arrived broken.");

        ImportRecord noMatch = read(log, TrajectoryImporters.Shape.JSON, "openai-messages",
                opts().withQuery(QueryChoice.parse("regex:ORDER-(\\d+)"))).get(0);
        assertThat(noMatch.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("query");
            assertThat(e.message()).contains("does not match the first user message");
        });
    }

    @Test
    void queryOptionsAreValidated() {
        assertThat(QueryChoice.parse(null).kind()).isEqualTo(QueryChoice.Kind.DEFAULT);
        assertThat(QueryChoice.parse("first-user").kind()).isEqualTo(QueryChoice.Kind.FIRST_USER);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> QueryChoice.parse("second-user")).hasMessageContaining("first-user, last-user");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> QueryChoice.parse("regex:(")).hasMessageContaining("not a valid regular expression");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImportOptions.SystemPrompt.parse("keep")).hasMessageContaining("skip or metadata");
    }

    // ---- Anthropic Messages and OpenAI Responses ------------------------------------------------------------------

    @Test
    void anthropicMessagesWithToolUseAndToolResultBlocks() throws IOException {
        Trajectory t = accepted(read(resource("anthropic-messages.json"), TrajectoryImporters.Shape.JSON, "anthropic-messages", opts())).get(0);
        assertThat(t.id()).isEqualTo("t-refund-1243");
        assertThat(t.query()).isEqualTo("Please refund order 1243, it arrived broken.");
        assertThat(t.steps()).extracting(s -> s.action().tool()).containsExactly("get_order", "get_order", "refund_order", "respond");
        Step first = t.steps().get(0);
        assertThat(first.reasoning()).isEqualTo("The order must be verified first.\nLet me check the order.");
        assertThat(first.action().arguments().get("order_id").asInt()).isEqualTo(1243);
        assertThat(first.observation()).isEqualTo("database unavailable, try again");
        assertThat(first.error()).isTrue();
        assertThat(first.errorRule()).as("is_error on the tool_result").isEqualTo(ErrorRules.SOURCE);
        assertThat(t.steps().get(1).observation()).isEqualTo("{\"order_id\": 1243, \"status\": \"delivered\", \"damaged\": true}");
        assertThat(t.steps().get(1).error()).isNull();
        assertThat(t.steps().get(2).action().arguments().get("reason").asText()).isEqualTo("damaged");
        assertThat(t.steps().get(2).observation()).isEqualTo("refund issued");
        assertThat(t.finalAnswer()).isEqualTo("Order 1243 has been refunded.");
        assertThat(t.successful()).isTrue();
        assertThat(t.expectedAnswer()).isEqualTo("refunded");
        assertThat(t.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(t.usage().promptTokens()).isEqualTo(2100);
        assertThat(t.metadata()).containsEntry("systemPromptChars", "You are RefundBot. Verify the order before refunding.".length());

        String loggedCall = "{\"success\": false, \"request\": {\"model\": \"claude-haiku\", \"system\": \"Be brief.\", \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"Name a prime above 10.\"}]}, \"response\": {\"id\": \"msg_1\", \"model\": \"claude-haiku\","
                + " \"content\": [{\"type\": \"text\", \"text\": \"9\"}], \"usage\": {\"input_tokens\": 12, \"output_tokens\": 1}}}";
        Trajectory call = accepted(read(loggedCall, TrajectoryImporters.Shape.JSON, "anthropic-messages", opts())).get(0);
        assertThat(call.query()).isEqualTo("Name a prime above 10.");
        assertThat(call.finalAnswer()).isEqualTo("9");
        assertThat(call.model()).isEqualTo("claude-haiku");
        assertThat(call.usage().completionTokens()).isEqualTo(1);
        assertThat(call.id()).matches("t-[0-9a-f]{16}");
    }

    @Test
    void openAiResponsesItems() throws IOException {
        Trajectory t = accepted(read(resource("openai-responses.json"), TrajectoryImporters.Shape.JSON, "openai-responses", opts())).get(0);
        assertThat(t.id()).isEqualTo("resp_0a1b2c3d4e5f");
        assertThat(t.query()).isEqualTo("Which river flows through Marxburg?");
        assertThat(t.steps()).extracting(s -> s.action().tool()).containsExactly("web_search", "atlas_lookup", "respond");
        Step search = t.steps().get(0);
        assertThat(search.reasoning()).isEqualTo("I should search the web, then check the atlas.");
        assertThat(search.action().arguments().get("query").asText()).isEqualTo("Marxburg river");
        assertThat(search.errorRule()).as("status failed").isEqualTo(ErrorRules.SOURCE);
        assertThat(t.steps().get(1).action().arguments().get("place").asText()).isEqualTo("Marxburg");
        assertThat(t.steps().get(1).observation()).isEqualTo("{\"river\": \"Groucho\"}");
        assertThat(t.finalAnswer()).isEqualTo("Groucho");
        assertThat(t.successful()).isTrue();
        assertThat(t.outcome().reward()).isEqualTo(1.0);
        assertThat(t.usage().promptTokens()).isEqualTo(900);
        assertThat((int) t.metadata().get("systemPromptChars")).isEqualTo(
                ("You are a research assistant. Cite your sources." + "\n\n" + "Answer in one word.").length());
    }

    // ---- every format: the same bytes twice give the same trajectories, ids included --------------------------------

    @Test
    void reimportingIsIdempotentForEveryFormat() throws IOException {
        Map<String, String> samples = new java.util.LinkedHashMap<>();
        samples.put("react", resource("react-one-string.json"));
        samples.put("swe-agent", resource("swe-agent-no-id.traj"));
        samples.put("openai-messages", resource("chat-with-system-prompt.json"));
        samples.put("anthropic-messages", resource("anthropic-messages.json"));
        samples.put("openai-responses", resource("openai-responses.json"));
        samples.put("otlp-json", resource("otlp-traces.json"));
        samples.put("trajectory", "{\"id\":\"n1\",\"query\":\"q\",\"outcome\":{\"success\":true}}");
        for (Map.Entry<String, String> e : samples.entrySet()) {
            List<ImportRecord> first = read(e.getValue(), TrajectoryImporters.Shape.JSON, e.getKey(), opts());
            List<ImportRecord> second = read(e.getValue(), TrajectoryImporters.Shape.JSON, e.getKey(), opts());
            assertThat(first).as(e.getKey()).isNotEmpty().isEqualTo(second);
            for (ImportRecord r : first.stream().filter(ImportRecord::ok).toList()) {
                assertThat(Json.contentHash(r.trajectory())).isEqualTo(Json.contentHash(second.get(first.indexOf(r)).trajectory()));
            }
        }
        String text = resource("react-text-log.txt");
        assertThat(read(text, TrajectoryImporters.Shape.TEXT, "react", opts())).isEqualTo(read(text, TrajectoryImporters.Shape.TEXT, "react", opts()));
    }
}
