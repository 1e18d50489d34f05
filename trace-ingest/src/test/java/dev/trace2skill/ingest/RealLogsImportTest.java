package dev.trace2skill.ingest;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Agent logs as people have them, through the REST front door: plain-text logs, results files (a multipart part or a
 * stored label set), the query / system / errorPattern options, background imports with progress, and re-uploads.
 * Every sample is written for this test in the shape of the real logs.
 */
@QuarkusTest
class RealLogsImportTest {
    static final String IMPORT = "/v1/trajectories/import";

    static final String TEXT_LOG = """
            ########################################
            BEGIN TRIAL 1
            #######################################
            ------------- BEGIN CORRECT AGENTS -------------

            Question: Which river flows through Marxburg?
            Thought 1: Search the city.
            Action 1: Search[Marxburg]
            Observation 1: Could not find [Marxburg]. Similar: ['Marburg', 'Marxberg']
            Thought 2: Try the country.
            Action 2: Search[Freedonia]
            Observation 2: Freedonia's capital Marxburg lies on the Groucho.
            Thought 3: The Groucho.
            Action 3: Finish[Groucho]
            Observation 3: Answer is CORRECT
            Correct answer: Groucho

            ------------- BEGIN INCORRECT AGENTS -----------

            Question: When did the Zeppelin Line open?
            Thought 1: Search it.
            Action 1: Search[Zeppelin Line]
            Observation 1: Zeppelin Line opened to the public in 1909.
            Thought 2: 1911.
            Action 2: Finish[1911]
            Observation 2: Answer is INCORRECT
            Correct answer: 1909
            """;

    static final String SWE_TRAJ = """
            {"trajectory": [{"thought": "Run the tests.", "action": "pytest -x", "observation": "FAILED test_units.py\\nexit code: 1"},
                            {"thought": "Submit.", "action": "submit", "observation": "diff --git a/u.py b/u.py"}],
             "history": [{"role": "system", "content": "SETTING: you are a programmer."},
                         {"role": "user", "content": "Here is a demonstration ... ISSUE:\\nold demo issue\\n\\nINSTRUCTIONS:", "is_demo": true},
                         {"role": "user", "content": "ISSUE:\\nunits lose minutes\\n\\nINSTRUCTIONS:\\nsolve it"}],
             "info": {"exit_status": "submitted", "submission": "diff --git a/u.py b/u.py"},
             "replay_config": "{\\"problem_statement\\": {\\"id\\": \\"acme__units-%s\\", \\"text\\": \\"units lose minutes\\"}}"}
            """;

    static RequestSpecification authed() {
        return given().auth().oauth2(IngestInfra.TOKEN);
    }

    static Response post(String contentType, String body, Map<String, Object> query) {
        RequestSpecification r = authed().contentType(contentType).body(body.getBytes(StandardCharsets.UTF_8));
        query.forEach(r::queryParam);
        return r.post(IMPORT);
    }

    @Test
    void plainTextReactLogsImportOnePerQuestion() {
        post("text/plain", TEXT_LOG, Map.of("format", "react", "dataset", "text-logs")).then().statusCode(200)
                .body("received", equalTo(2)).body("accepted", equalTo(2)).body("rejectedCount", equalTo(0));
        List<Map<String, Object>> items = given().queryParam("dataset", "text-logs").get("/v1/trajectories").then().statusCode(200)
                .extract().jsonPath().getList("items");
        assertThat(items).hasSize(2).allSatisfy(i -> assertThat((String) i.get("id")).matches("text-logs-[0-9a-f]{16}"));
        Map<String, Map<String, Object>> byOutcome = new LinkedHashMap<>();
        for (Map<String, Object> i : items) {
            byOutcome.put(String.valueOf(i.get("success")), i);
        }
        // (read with the admin token: the expected answer is shown to it only)
        given().auth().oauth2("test-admin-token").get("/v1/trajectories/" + byOutcome.get("true").get("id")).then().statusCode(200)
                .body("query", equalTo("Which river flows through Marxburg?"))
                .body("steps.action.tool", equalTo(List.of("Search", "Search", "Finish")))
                .body("steps[0].errorRule", equalTo("not-found"))
                .body("steps[0].error", equalTo(true))
                .body("finalAnswer", equalTo("Groucho"))
                .body("expectedAnswer", equalTo("Groucho"))
                .body("metadata.trial", equalTo(1));
        given().get("/v1/trajectories/" + byOutcome.get("false").get("id")).then().statusCode(200)
                .body("query", equalTo("When did the Zeppelin Line open?"))
                .body("finalAnswer", equalTo("1911"));
        // the same log again: every record is a duplicate of what is stored
        post("text/plain", TEXT_LOG, Map.of("format", "react", "dataset", "text-logs")).then().statusCode(200)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(2));
    }

    @Test
    void textPlainIsForReactOnly() {
        post("text/plain", TEXT_LOG, Map.of("format", "openai-messages", "dataset", "text-logs")).then().statusCode(415)
                .contentType("application/problem+json").body("errors[0].field", equalTo("format"))
                .body("errors[0].message", containsString("format=react"));
    }

    @Test
    void aResultsFileAsAMultipartPartLabelsTheSweAgentRuns() {
        String report = "{\"resolved_ids\": [\"acme__units-1\"], \"unresolved_ids\": [\"acme__units-2\"]}";
        authed().multiPart("file", "runs.json", ("[" + SWE_TRAJ.formatted(1) + "," + SWE_TRAJ.formatted(2) + "]").getBytes(StandardCharsets.UTF_8))
                .multiPart("labels", "report.json", report.getBytes(StandardCharsets.UTF_8), "application/json")
                .queryParam("format", "swe-agent").queryParam("dataset", "swe-multipart")
                .post(IMPORT).then().statusCode(200).body("accepted", equalTo(2));
        given().get("/v1/trajectories/swe-multipart-acme__units-1").then().statusCode(200)
                .body("outcome.success", equalTo(true)).body("query", equalTo("units lose minutes"))
                .body("metadata.demonstrations", equalTo(1)).body("metadata.labelSource", equalTo("labels"))
                .body("steps[0].errorRule", equalTo("exit-code"));
        given().get("/v1/trajectories/swe-multipart-acme__units-2").then().statusCode(200).body("outcome.success", equalTo(false));
    }

    @Test
    void aStoredLabelSetIsReferencedByItsId() {
        String id = authed().contentType("application/x-ndjson")
                .body("{\"instance_id\": \"acme__units-3\", \"resolved\": true}\n".getBytes(StandardCharsets.UTF_8))
                .post("/v1/labels").then().statusCode(201).body("entries", equalTo(1)).body("successes", equalTo(1))
                .extract().path("id");
        assertThat(id).startsWith("labels-");
        given().get("/v1/labels/" + id).then().statusCode(200).body("id", equalTo(id));
        post("application/json", SWE_TRAJ.formatted(3), Map.of("format", "swe-agent", "dataset", "swe-labels", "labels", id))
                .then().statusCode(201).body("accepted", equalTo(1));
        given().get("/v1/trajectories/swe-labels-acme__units-3").then().statusCode(200).body("outcome.success", equalTo(true));
        // without labels the submitted run has no correctness label: refused, naming the field and the way out
        post("application/json", SWE_TRAJ.formatted(4), Map.of("format", "swe-agent", "dataset", "swe-labels")).then().statusCode(422)
                .body("errors[0].field", equalTo("info.resolved")).body("errors[0].message", containsString("labels file"));
        authed().contentType("application/json").body("[{\"resolved\": true}]").post("/v1/labels").then().statusCode(400)
                .body("errors[0].field", equalTo("(body)")).body("errors[0].message", containsString("instance_id"));
    }

    @Test
    void queryAndSystemOptionsKeepTheAgentsPromptOutOfTheQuery() {
        String chat = """
                {"id": "chat-sys-1", "reward": 1,
                 "messages": [{"role": "user", "content": "You are ShopBot. Rules: verify orders; never refund twice. Reply briefly."},
                              {"role": "user", "content": "Where is my order 88?"},
                              {"role": "assistant", "content": "It ships tomorrow."}]}""";
        post("application/json", chat, Map.of("format", "openai-messages", "dataset", "chat-sys", "query", "last-user", "system", "metadata"))
                .then().statusCode(201);
        given().get("/v1/trajectories/chat-sys-1").then().statusCode(200)
                .body("query", equalTo("Where is my order 88?"))
                .body("metadata.systemPrompt", startsWith("You are ShopBot."))
                .body("steps.action.tool", equalTo(List.of("respond")));
    }

    @Test
    void extraErrorPatternsFlagStepsWithTheirRule() {
        String chat = """
                {"id": "chat-pattern-1", "reward": 0,
                 "messages": [{"role": "user", "content": "Check the stock of item 5."},
                              {"role": "assistant", "tool_calls": [{"id": "c1", "function": {"name": "stock", "arguments": "{\\"item\\": 5}"}}]},
                              {"role": "tool", "tool_call_id": "c1", "content": "WARN quota exceeded for tenant 7"}]}""";
        post("application/json", chat, Map.of("format", "openai-messages", "dataset", "patterns", "errorPattern", "quota exceeded"))
                .then().statusCode(201);
        given().get("/v1/trajectories/chat-pattern-1").then().statusCode(200)
                .body("steps[0].error", equalTo(true)).body("steps[0].errorRule", equalTo("pattern:quota exceeded"));
    }

    @Test
    void badOptionsAreRefusedNamingTheParameter() {
        Map<String, Map<String, Object>> cases = Map.of(
                "query", Map.of("query", "second-user"),
                "system", Map.of("system", "keep"),
                "errorPattern", Map.of("errorPattern", "(unclosed"),
                "labels", Map.of("labels", "labels-0000000000000000"),
                "async", Map.of("async", "maybe"));
        cases.forEach((field, extra) -> {
            Map<String, Object> q = new LinkedHashMap<>(Map.of("format", "react", "dataset", "bad-options"));
            q.putAll(extra);
            post("application/json", "[]", q).then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo(field));
        });
    }

    @Test
    void backgroundImportsReportProgressAndTheirReport() {
        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < 1_200; i++) {
            nd.append("{\"id\":\"bg-").append(i).append("\",\"query\":\"q").append(i).append("\",\"outcome\":{\"success\":")
                    .append(i % 3 == 0).append("}}\n");
        }
        nd.append("{\"id\":\"bg-bad\",\"query\":\"q\"}\n");
        Response started = authed().contentType("application/x-ndjson").body(nd.toString().getBytes(StandardCharsets.UTF_8))
                .queryParam("dataset", "background").queryParam("async", "true").post("/v1/trajectories");
        started.then().statusCode(202).header("Location", containsString("/v1/imports/imp-"))
                .body("status", org.hamcrest.Matchers.oneOf("queued", "running", "done"))
                .body("bytesTotal", equalTo(nd.toString().getBytes(StandardCharsets.UTF_8).length));
        String id = started.jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                given().get("/v1/imports/" + id).then().extract().path("status").equals("done"));
        given().get("/v1/imports/" + id).then().statusCode(200)
                .body("received", equalTo(1201)).body("accepted", equalTo(1200)).body("rejectedCount", equalTo(1))
                .body("progress", equalTo(1.0f)).body("bytesRead", equalTo(nd.toString().getBytes(StandardCharsets.UTF_8).length))
                .body("report.rejected[0].index", equalTo(1200)).body("report.rejected[0].errors[0].field", equalTo("outcome"));
        assertThat(TrajectoryIngestTest.count("background", "success")).isEqualTo(400);
        given().get("/v1/imports").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
        given().get("/v1/imports/imp-none").then().statusCode(404).contentType("application/problem+json");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("t2s_ingest_imports_total{status=\"done\"}").contains("t2s_ingest_imports_running");
    }

    @Test
    void asyncImportOfATextLogThroughMultipart() {
        String id = authed().multiPart("file", "trial.txt", TEXT_LOG.replace("Marxburg", "Marxstadt").getBytes(StandardCharsets.UTF_8))
                .queryParam("format", "react").queryParam("dataset", "async-text").queryParam("async", "true")
                .post(IMPORT).then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                given().get("/v1/imports/" + id).then().extract().path("status").equals("done"));
        given().get("/v1/imports/" + id).then().body("accepted", equalTo(2)).body("format", equalTo("react"));
    }

    /** One sample per format, uploaded twice: the second upload stores nothing new and conflicts with nothing. */
    @Test
    void reuploadingIsIdempotentForEveryFormat() {
        Map<String, String[]> samples = new LinkedHashMap<>();
        samples.put("react", new String[]{"text/plain", TEXT_LOG.replace("Marxburg", "Marxhafen")});
        samples.put("swe-agent", new String[]{"application/json", SWE_TRAJ.formatted(9).replace("\"replay_config\"", "\"ignored\"")});
        samples.put("openai-messages", new String[]{"application/json", """
                [{"reward": 1, "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"},
                  {"role": "assistant", "content": "4"}]}]"""});
        samples.put("anthropic-messages", new String[]{"application/json", """
                {"success": true, "messages": [{"role": "user", "content": "List files."},
                 {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "ls", "input": {}}]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "a.txt"}]},
                 {"role": "assistant", "content": [{"type": "text", "text": "a.txt"}]}]}"""});
        samples.put("openai-responses", new String[]{"application/json", """
                {"reward": 0, "input": "Weather in Marxburg?", "output": [
                 {"type": "function_call", "call_id": "w1", "name": "weather", "arguments": "{\\"city\\": \\"Marxburg\\"}"},
                 {"type": "function_call_output", "call_id": "w1", "output": "HTTP/1.1 503 Service Unavailable"},
                 {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Unknown."}]}]}"""});
        samples.put("otlp-json", new String[]{"application/json", """
                {"resourceSpans": [{"resource": {"attributes": [{"key": "t2s.outcome.success", "value": {"boolValue": true}}]},
                  "scopeSpans": [{"spans": [{"traceId": "0af7651916cd43dd8448eb211c80319c", "name": "chat", "startTimeUnixNano": "1",
                   "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                  {"key": "gen_ai.prompt", "value": {"stringValue": "Say hi"}},
                                  {"key": "gen_ai.completion", "value": {"stringValue": "hi"}}]}]}]}]}"""});
        samples.put("trajectory", new String[]{"application/json", "{\"id\":\"native-idem\",\"query\":\"q\",\"outcome\":{\"success\":true}}"});
        samples.forEach((format, s) -> {
            Map<String, Object> q = Map.of("format", format, "dataset", "idem-" + format, "submittedMeansSuccess", true);
            Response first = post(s[0], s[1], q);
            first.then().statusCode(org.hamcrest.Matchers.oneOf(200, 201)).body("rejectedCount", equalTo(0));
            int accepted = first.jsonPath().getInt("accepted");
            assertThat(accepted).as(format).isPositive();
            post(s[0], s[1], q).then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(accepted))
                    .body("rejectedCount", equalTo(0));
        });
    }
}
