package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import dev.trace2skill.testkit.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * The evaluator against the real broker and database, with agents talking to a scripted OpenAI-compatible server over
 * real HTTP (chat completions with tool calls and usage). The task data are the project's own small sets under
 * src/test/resources/data, in the layouts of the public sets.
 */
@QuarkusTest
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_evaluator"))
@QuarkusTestResource(ModelServerResource.class)
class EvaluatorTest {
    static final String TOKEN = "Bearer dev-token";
    /** The admin token of the test profile: the only one that sees expected answers. */
    static final String ADMIN = "test-admin-token";
    static final String TABLE_SKILL = """
            ---
            name: table-qa
            description: Answers questions about a table with SQL.
            ---
            # Table QA

            ## Look first
            MARKER-TQ: list the columns before writing SQL.

            ## Answer
            Submit the value exactly as the table spells it.
            """;
    final ScriptedModelServer model = ModelServerResource.server();

    @BeforeEach
    void reset() {
        model.reset();
    }

    static String question(ChatRequest r) {
        return r.messages().size() > 1 ? r.messages().get(1).path("content").asText() : "";
    }

    static String start(Map<String, Object> request) {
        return given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Json.write(request))
                .post("/v1/evaluations").then().statusCode(202).extract().path("id");
    }

    static JsonNode awaitEnd(String id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                !"running".equals(given().get("/v1/evaluations/" + id).then().statusCode(200).extract().path("status")));
        JsonNode ev = Json.mapper().valueToTree(given().get("/v1/evaluations/" + id).then().extract().as(Map.class));
        if (ev.path("progress").path("errors").asInt() > 0) {
            System.out.println("episodes of " + id + ": " + given().get("/v1/evaluations/" + id + "/episodes?status=ERROR").asString());
        }
        return ev;
    }

    static JsonNode condition(JsonNode evaluation, String label) {
        for (JsonNode c : evaluation.path("report").path("conditions")) {
            if (c.path("label").asText().equals(label)) {
                return c;
            }
        }
        throw new AssertionError("no condition " + label + " in " + evaluation.path("report"));
    }

    @Test
    void tableAgentRunsRealSqlReadsReferencesAndIsScored() {
        // the agent lists the columns, runs SQL on the real table, (with the skill) reads a reference file, then answers;
        // without the skill it miscounts the second question
        model.fallback(r -> {
            boolean skill = r.systemPrompt().contains("MARKER-TQ");
            boolean tallest = question(r).contains("tallest");
            int turn = r.toolResults();
            Reply reply;
            if (turn == 0) {
                reply = Reply.toolCall("list_columns", "{}");
            } else if (turn == 1) {
                reply = Reply.toolCall("run_sql", Json.write(Map.of("query", tallest
                        ? "SELECT \"Name\", \"Height (m)\" FROM t ORDER BY CAST(\"Height (m)\" AS INT) DESC LIMIT 1"
                        : "SELECT count(*) AS \"n\" FROM t WHERE CAST(\"Built\" AS INT) < 1900")));
            } else if (turn == 2 && skill) {
                reply = Reply.toolCall("read_reference", "{\"path\": \"references/sql.md\"}");
            } else {
                reply = Reply.toolCall("submit_answer", Json.write(Map.of("answer", tallest ? "Cape Spire" : skill ? "3" : "4")));
            }
            return reply.withUsage(100, 20);
        });
        String id = start(Map.of(
                "skills", List.of(Map.of("name", "table-qa", "files", Map.of("SKILL.md", TABLE_SKILL, "references/sql.md",
                        "# SQL\nCast text columns before comparing numbers.\n"))),
                "includeNoSkill", true, "taskset", "wikitq", "range", Map.of("from", 0, "to", 2),
                "models", List.of(Map.of("model", "user-a")), "seeds", List.of(0), "concurrency", 2));
        JsonNode ev = awaitEnd(id);
        assertThat(ev.path("status").asText()).isEqualTo("completed");
        assertThat(ev.path("progress").path("done").asInt()).isEqualTo(4);
        assertThat(ev.path("progress").path("correct").asInt()).isEqualTo(3);

        // SQL ran for real on the table loaded from the CSV (backslash-escaped quotes, a repeated header name)
        List<ChatRequest> requests = model.requests();
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("Name | Height (m)").contains("Cape Spire | 48"));
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("n\n3"));
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("\"Notes\", \"Notes_2\"").contains("4 rows"));
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("Cast text columns before comparing numbers."));
        assertThat(requests).allSatisfy(r -> assertThat(r.toolNames()).contains("list_columns", "run_sql", "read_reference", "submit_answer"));

        JsonNode base = condition(ev, "no skill");
        assertThat(base.path("episodes").asInt()).isEqualTo(2);
        assertThat(base.path("rate").asDouble()).isEqualTo(0.5);
        JsonNode skill = ev.path("report").path("conditions").get(1);
        assertThat(skill.path("skill").asText()).startsWith("table-qa@inline-");
        assertThat(skill.path("rate").asDouble()).isEqualTo(1.0);
        assertThat(skill.path("pairs").asInt()).isEqualTo(2);
        assertThat(skill.path("delta").asDouble()).isEqualTo(0.5);
        // one discordant pair out of one: McNemar's exact two-sided p = min(1, 2 * 0.5^1) = 1
        assertThat(skill.path("mcnemarP").asDouble()).isEqualTo(1.0);
        // 3 calls x 120 tokens without the skill, 4 calls with it
        assertThat(base.path("meanTokens").asDouble()).isEqualTo(360.0);
        assertThat(skill.path("meanTokens").asDouble()).isEqualTo(480.0);
        assertThat(skill.path("tokenChange").asDouble()).isEqualTo(120.0);

        // every episode is stored as a labelled trajectory with its tool calls and observations
        // (expected answers are the admin token's to see: the admin reads them here; see expectedAnswersOnlyForTheAdminToken)
        List<Map<String, Object>> rows = given().auth().oauth2(ADMIN).get("/v1/evaluations/" + id + "/episodes?status=WRONG").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("answer", "4").containsEntry("expected", "3").containsEntry("taskId", "tq-1");
        JsonNode episode = Json.mapper().valueToTree(given().auth().oauth2(ADMIN).get("/v1/evaluations/" + id + "/episodes/" + rows.get(0).get("episodeId"))
                .then().statusCode(200).extract().as(Map.class));
        JsonNode trajectory = episode.path("trajectory");
        assertThat(trajectory.path("outcome").path("success").asBoolean()).isFalse();
        assertThat(trajectory.path("expectedAnswer").asText()).isEqualTo("3");
        assertThat(trajectory.path("steps").get(1).path("action").path("tool").asText()).isEqualTo("run_sql");
        assertThat(trajectory.path("steps").get(1).path("action").path("arguments").path("query").asText()).contains("< 1900");
        // the SQL result was right; the agent misreported it
        assertThat(trajectory.path("steps").get(1).path("observation").asText()).isEqualTo("n\n3\n");
        assertThat(trajectory.path("usage").path("promptTokens").asInt()).isEqualTo(300);

        given().accept("text/markdown").get("/v1/evaluations/" + id + "/report").then().statusCode(200)
                .body(containsString("| no skill | user-a | 2 | 0 | 50.0%"), containsString("+50.0 pp"));
        given().accept("image/svg+xml").get("/v1/evaluations/" + id + "/report").then().statusCode(200)
                .body(startsWith("<svg"), containsString("100.0% (n=2)"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("t2s_eval_episodes_total{model=\"user-a\",status=\"CORRECT\"}"), containsString("t2s_eval_tokens_total"));
    }

    static final String SHEET_SKILL = """
            ---
            name: sheets
            description: Fills workbook answer ranges with formulas.
            ---
            # Sheets

            ## Formulas
            MARKER-SHEETS: write a formula per row, never a typed-in number.
            """;

    @Test
    void spreadsheetEpisodesWriteIntoTheirOwnWorkbookAndAreCheckedAgainstTheGolden() {
        // with the skill the agent writes the right formulas; without it, a wrong value in one cell
        model.fallback(r -> {
            boolean skill = r.systemPrompt().contains("MARKER-SHEETS");
            Reply reply = switch (r.toolResults()) {
                case 0 -> Reply.toolCall("list_sheets", "{}");
                case 1 -> Reply.toolCall("read_range", Json.write(Map.of("range", "Budget!A1:D4")));
                case 2 -> Reply.toolCall("write_range", Json.write(Map.of("range", "Budget!D2",
                        "values", skill ? "[[\"=SUM(B2:C2)\"], [\"=SUM(B3:C3)\"], [\"=SUM(B4:C4)\"]]" : "[[2450], [608.75], [999]]")));
                default -> Reply.toolCall("finish", "{}");
            };
            return reply.withUsage(100, 20);
        });
        String id = start(Map.of("skills", List.of(Map.of("name", "sheets", "files", Map.of("SKILL.md", SHEET_SKILL))),
                "includeNoSkill", true, "taskset", "spreadsheetbench-verified", "models", List.of(Map.of("model", "user-a"))));
        JsonNode ev = awaitEnd(id);
        assertThat(ev.path("status").asText()).isEqualTo("completed");
        assertThat(ev.path("progress").path("done").asInt()).isEqualTo(2);
        assertThat(ev.path("progress").path("errors").asInt()).isEqualTo(0);
        assertThat(condition(ev, "no skill").path("successes").asInt()).isEqualTo(0);
        assertThat(ev.path("report").path("conditions").get(1).path("successes").asInt()).isEqualTo(1);

        // the agent saw its own private copy of the real workbook and the task's answer position, never the golden one
        List<ChatRequest> requests = model.requests();
        assertThat(requests).allSatisfy(r -> assertThat(r.toolNames()).contains("list_sheets", "read_range", "find_text", "write_range",
                "insert_rows", "delete_rows", "insert_columns", "delete_columns", "recalculate", "finish").doesNotContain("submit_answer", "check_output"));
        assertThat(question(requests.get(0))).contains("Fill the Total column", "Answer position: 'Budget'!D2:D4");
        assertThat(requests.get(0).systemPrompt()).contains("finish by calling\nfinish once the workbook holds the answer").doesNotContain("submit_answer");
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("Budget: used A1:D4 (4 rows, 4 columns)", "Notes: used A1:A1"));
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("B3: 310.5", "A4: \"Travel\""));
        assertThat(requests).anySatisfy(r -> assertThat(r.text()).contains("D2: =SUM(B2:C2) → 2450"));

        List<Map<String, Object>> wrong = given().get("/v1/evaluations/" + id + "/episodes?status=WRONG").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(wrong).hasSize(1);
        assertThat(wrong.get(0)).containsEntry("taskId", "t2s-sheet-1");
        JsonNode trajectory = Json.mapper().valueToTree(given().get("/v1/evaluations/" + id + "/episodes/" + wrong.get(0).get("episodeId"))
                .then().statusCode(200).extract().as(Map.class)).path("trajectory");
        assertThat(trajectory.path("taskId").asText()).isEqualTo("t2s-sheet-1");
        assertThat(trajectory.path("steps")).hasSize(4);
        assertThat(trajectory.path("steps").get(2).path("action").path("tool").asText()).isEqualTo("write_range");
        assertThat(trajectory.path("steps").get(2).path("action").path("arguments").path("range").asText()).isEqualTo("Budget!D2");
        assertThat(trajectory.path("steps").get(2).path("observation").asText()).startsWith("Wrote 3 cells in Budget!D2:D4");
        assertThat(trajectory.path("steps").get(3).path("action").path("tool").asText()).isEqualTo("finish");
        JsonNode check = trajectory.path("metadata").path("check");
        assertThat(check.path("passed").asBoolean()).isFalse();
        assertThat(check.path("mode").asText()).isEqualTo("official");
        assertThat(Json.mapper().convertValue(check.path("mismatches"), List.class)).containsExactly("Budget!D4");
        assertThat(trajectory.path("metadata").path("finished").asBoolean()).isTrue();
        assertThat(trajectory.path("metadata").path("domain").asText()).isEqualTo("spreadsheet");
        // with the task id, the task set lets an error analyst find the task and replay it in its environment
        assertThat(trajectory.path("metadata").path("taskSet").asText()).isEqualTo("spreadsheetbench-verified");
        // where it failed, not what was expected: the golden total of row 4 (225) appears nowhere in the failed episode
        assertThat(trajectory.path("steps").toString() + check + trajectory.path("answer") + trajectory.path("expectedAnswer")).doesNotContain("225");
    }

    static byte[] budgetWorkbook(String... totals) {
        try (org.apache.poi.xssf.usermodel.XSSFWorkbook wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook()) {
            var sheet = wb.createSheet("Budget");
            String[][] rows = {{"Item", "Q1", "Q2", "Total"}, {"Rent", "1200", "1250"}, {"Power", "310.5", "298.25"}, {"Travel", "80", "145"}};
            for (int i = 0; i < rows.length; i++) {
                var row = sheet.createRow(i);
                for (int j = 0; j < rows[i].length; j++) {
                    if (i == 0 || j == 0) {
                        row.createCell(j).setCellValue(rows[i][j]);
                    } else {
                        row.createCell(j).setCellValue(Double.parseDouble(rows[i][j]));
                    }
                }
                if (i > 0 && totals.length >= i) {
                    String t = totals[i - 1];
                    if (t.startsWith("=")) {
                        row.createCell(3).setCellFormula(t.substring(1)); // no cached value, as openpyxl writes formulas
                    } else {
                        row.createCell(3).setCellValue(Double.parseDouble(t));
                    }
                }
            }
            wb.createSheet("Notes");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            wb.write(out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void workbooksAreScoredOverRestExactlyAsEpisodesAre() {
        String url = "/v1/tasksets/spreadsheetbench-verified/tasks/t2s-sheet-1/check";
        String xlsx = SpreadsheetCheckResource.XLSX;
        // typed-in totals: right (numeric strings of the cached values compare to 2 decimals)
        given().header("Authorization", TOKEN).contentType(xlsx).body(budgetWorkbook("2450", "608.75", "225.001")).post(url)
                .then().statusCode(200).body("id", equalTo("t2s-sheet-1"), "passed", equalTo(true), "mode", equalTo("official"),
                        "mismatches.size()", equalTo(0), "recalculated", equalTo("poi"));
        // formulas without cached values (as a Python writer leaves them): they pass once recalculated, not as they are
        byte[] formulas = budgetWorkbook("=B2+C2", "=B3+C3", "=SUM(B4:C4)");
        given().header("Authorization", TOKEN).contentType(xlsx).body(formulas).post(url)
                .then().statusCode(200).body("passed", equalTo(true), "notEvaluated.size()", equalTo(0));
        given().header("Authorization", TOKEN).contentType(xlsx).body(formulas).post(url + "?recalculate=false&mode=lenient")
                .then().statusCode(200).body("passed", equalTo(false), "mode", equalTo("lenient"), "recalculated", equalTo("no"),
                        "mismatches", equalTo(List.of("Budget!D2", "Budget!D3", "Budget!D4")));
        // a wrong value names its cell, not the expected value
        var wrong = given().header("Authorization", TOKEN).contentType(xlsx).body(budgetWorkbook("2450", "608.7", "225")).post(url)
                .then().statusCode(200).body("passed", equalTo(false), "mismatches", equalTo(List.of("Budget!D3"))).extract().asString();
        assertThat(wrong).doesNotContain("608.75");
        // an unknown function is reported as not evaluated
        given().header("Authorization", TOKEN).contentType(xlsx).body(budgetWorkbook("=B2+C2", "=B3+C3", "=NOSUCHFUNCTION(B4)")).post(url)
                .then().statusCode(200).body("passed", equalTo(false), "notEvaluated[0]", startsWith("Budget!D4"));

        // problems: corrupt, too large, empty, unknown task or set, bad parameters, no token
        given().header("Authorization", TOKEN).contentType(xlsx).body("PK not really a workbook".getBytes(StandardCharsets.UTF_8)).post(url)
                .then().statusCode(422).contentType("application/problem+json").body("errors[0].field", equalTo("(body)"));
        given().header("Authorization", TOKEN).contentType(xlsx).body(new byte[70_000]).post(url)
                .then().statusCode(413).contentType("application/problem+json");
        given().header("Authorization", TOKEN).contentType(xlsx).body(new byte[0]).post(url)
                .then().statusCode(400).contentType("application/problem+json");
        given().header("Authorization", TOKEN).contentType(xlsx).body(formulas).post("/v1/tasksets/spreadsheetbench-verified/tasks/nope/check")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", TOKEN).contentType(xlsx).body(formulas).post("/v1/tasksets/gsm8k/tasks/gsm8k-0/check")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", TOKEN).contentType(xlsx).body(formulas).post(url + "?mode=strict")
                .then().statusCode(400).body("errors[0].field", equalTo("mode"));
        given().header("Authorization", TOKEN).contentType(xlsx).body(formulas).post(url + "?recalculate=maybe")
                .then().statusCode(400).body("errors[0].field", equalTo("recalculate"));
        given().contentType(xlsx).body(formulas).post(url).then().statusCode(401);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("t2s_spreadsheet_checks_total{mode=\"official\",passed=\"true\"}"), containsString("t2s_spreadsheet_check_seconds"));
        assertThat(model.requests()).isEmpty();
    }

    @Test
    void ablationReportsEachSectionsMarginalEffect() {
        // the agent answers correctly only when the "Answer" section is in its prompt
        model.fallback(r -> Reply.toolCall("submit_answer", Json.write(Map.of("answer",
                r.systemPrompt().contains("Submit the value exactly") ? expectedFor(question(r)) : "wrong"))).withUsage(50, 5));
        String id = start(Map.of(
                "skills", List.of(Map.of("name", "table-qa", "files", Map.of("SKILL.md", TABLE_SKILL))),
                "includeNoSkill", true, "taskset", "wikitq", "ablation", true, "models", List.of(Map.of("model", "user-a"))));
        JsonNode ev = awaitEnd(id);
        assertThat(ev.path("status").asText()).isEqualTo("completed");
        // baseline, full skill, and the skill without each of its two sections, on 2 tasks
        assertThat(ev.path("progress").path("done").asInt()).isEqualTo(8);
        JsonNode ablations = ev.path("report").path("ablations");
        assertThat(ablations).hasSize(2);
        for (JsonNode a : ablations) {
            double expected = a.path("section").asText().equals("Answer") ? 1.0 : 0.0;
            assertThat(a.path("effect").asDouble()).as(a.toString()).isEqualTo(expected);
            assertThat(a.path("pairs").asInt()).isEqualTo(2);
        }
    }

    static String expectedFor(String question) {
        return question.contains("tallest") ? "Cape Spire" : "3";
    }

    @Test
    void budgetStopsTheEvaluationCleanlyWithPartialResults() {
        model.fallback(r -> Reply.toolCall("submit_answer", Json.write(Map.of("answer", gsm8kAnswer(question(r))))).withUsage(400, 100));
        String id = start(Map.of("includeNoSkill", true, "taskset", "gsm8k", "concurrency", 1, "budget", Map.of("maxTokens", 1000),
                "models", List.of(Map.of("model", "user-a"))));
        JsonNode ev = awaitEnd(id);
        assertThat(ev.path("status").asText()).isEqualTo("budget_exhausted");
        assertThat(ev.path("message").asText()).contains("token budget of 1000 reached", "2 of 5 episodes ran", "3 not started");
        assertThat(ev.path("progress").path("done").asInt()).isEqualTo(2);
        assertThat(ev.path("progress").path("pending").asInt()).isEqualTo(3);
        assertThat(ev.path("progress").path("tokens").asInt()).isEqualTo(1000);
        // partial results stay readable
        JsonNode base = condition(ev, "no skill");
        assertThat(base.path("episodes").asInt()).isEqualTo(2);
        assertThat(base.path("successes").asInt()).isEqualTo(2);
        assertThat(model.requests()).hasSize(2);
    }

    static String gsm8kAnswer(String question) {
        if (question.contains("crates")) {
            return "84";
        }
        if (question.contains("pages")) {
            return "9";
        }
        if (question.contains("ticket")) {
            return "$26";
        }
        if (question.contains("garden")) {
            return "54";
        }
        return "80 km/h";
    }

    @Test
    void aModelServerFailingMidEvaluationMakesErrorsNotWrongAnswers() {
        String skill = "---\nname: arithmetic\ndescription: Word problems.\n---\n# Arithmetic\n\n## Units\nKeep units.\n\n## Answer\nOnly the number.\n";
        // the "pages" task: the first turn works, then the server fails every call (retried once, then given up)
        model.fallback(r -> {
            String q = question(r);
            if (q.contains("pages") && r.toolResults() == 1) {
                return Reply.error(500);
            }
            if (q.contains("pages")) {
                return Reply.toolCall("read_reference", "{\"path\": \"references/none.md\"}").withUsage(10, 1);
            }
            return Reply.toolCall("submit_answer", Json.write(Map.of("answer", gsm8kAnswer(q)))).withUsage(10, 1);
        });
        String id = start(Map.of("skills", List.of(Map.of("name", "arithmetic", "files", Map.of("SKILL.md", skill))),
                "includeNoSkill", false, "taskset", "gsm8k", "range", Map.of("from", 0, "to", 3), "concurrency", 1,
                "models", List.of(Map.of("model", "user-a"))));
        JsonNode ev = awaitEnd(id);
        assertThat(ev.path("status").asText()).isEqualTo("completed");
        assertThat(ev.path("progress").path("errors").asInt()).isEqualTo(1);
        JsonNode c = ev.path("report").path("conditions").get(0);
        assertThat(c.path("errors").asInt()).isEqualTo(1);
        assertThat(c.path("episodes").asInt()).isEqualTo(2);
        assertThat(c.path("rate").asDouble()).isEqualTo(1.0);
        List<Map<String, Object>> errors = given().get("/v1/evaluations/" + id + "/episodes?status=ERROR").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(errors).hasSize(1);
        assertThat((String) errors.get(0).get("error")).contains("HTTP 500");
        assertThat(errors.get(0)).containsEntry("taskId", "gsm8k-1").doesNotContainKey("answer");
        // the failing call was retried (max-retries=1 in tests): two attempts at turn 2, after one good turn
        long failing = model.requests().stream().filter(r -> question(r).contains("pages") && r.toolResults() == 1).count();
        assertThat(failing).isEqualTo(2);
        // later episodes ran normally after the failure
        assertThat(model.requests()).anySatisfy(r -> assertThat(question(r)).contains("ticket"));
    }

    @Test
    void externalRunnersGetTasksOnKafkaAndReturnResultsOverRestAndKafka() {
        List<Map<String, Object>> tasks = List.of(
                Map.of("id", "sheet-1", "question", "Total of column B in budget.xlsx?", "expected", "1,250", "checker", "numeric"),
                Map.of("id", "sheet-2", "question", "Which month had the highest spend?", "expected", "March", "checker", "normalized"),
                Map.of("id", "web-1", "question", "Book the cheapest flight to Oslo", "checker", "auto"));
        String id = start(Map.of("skills", List.of(Map.of("name", "table-qa", "files", Map.of("SKILL.md", TABLE_SKILL))),
                "includeNoSkill", true, "taskset", "inline", "tasks", tasks, "runner", "external",
                "models", List.of(Map.of("model", "runner-model"))));
        String bootstrap = InfraTestResource.bootstrapServers();
        List<ConsumerRecord<String, String>> published = TopicReader.read(bootstrap, Topics.EVAL_TASKS, r -> id.equals(r.key()), 6, Duration.ofSeconds(20));
        assertThat(published).hasSize(6);
        List<JsonNode> messages = published.stream().map(r -> read(r.value())).toList();
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.path("evaluationId").asText()).isEqualTo(id);
            assertThat(m.path("resultTopic").asText()).isEqualTo("eval-results");
            assertThat(m.path("task").has("expected")).as("the runner never sees the expected answer").isFalse();
            assertThat(m.path("model").path("model").asText()).isEqualTo("runner-model");
        });
        assertThat(messages.stream().filter(m -> m.path("skill").path("files").path("SKILL.md").asText().contains("MARKER-TQ"))).hasSize(3);
        Function<String, String> episodeOf = key -> messages.stream()
                .filter(m -> (m.path("task").path("id").asText() + "|" + m.has("skill")).equals(key)).findFirst().orElseThrow()
                .path("episodeId").asText();

        // REST: one good result, one for an unknown episode (partial acceptance), the good one again (duplicate)
        Map<String, Object> good = Map.of("episodeId", episodeOf.apply("sheet-1|true"), "answer", "1250", "usage",
                Map.of("promptTokens", 900, "completionTokens", 100), "trajectory", Map.of("id", "runner-own-id", "query",
                        "Total of column B in budget.xlsx?", "steps", List.of(Map.of("action", Map.of("tool", "open_sheet",
                                "arguments", Map.of("file", "budget.xlsx")), "observation", "B: 500, 750")), "outcome", Map.of("success", true)));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body(Json.write(List.of(good, Map.of("episodeId", "nope", "answer", "1")))).post("/v1/evaluations/" + id + "/results")
                .then().statusCode(200).body("accepted", equalTo(1), "rejected[0].record", equalTo(1), "rejected[0].field", equalTo("episodeId"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Json.write(good)).post("/v1/evaluations/" + id + "/results")
                .then().statusCode(200).body("accepted", equalTo(0), "duplicates", equalTo(1));
        // a task with an expected answer needs the answer; a task without one needs the runner's verdict
        given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body(Json.write(Map.of("episodeId", episodeOf.apply("sheet-2|true"), "correct", true))).post("/v1/evaluations/" + id + "/results")
                .then().statusCode(422).contentType("application/problem+json").body("errors[0].field", equalTo("answer"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body(Json.write(Map.of("episodeId", episodeOf.apply("web-1|true"), "answer", "booked"))).post("/v1/evaluations/" + id + "/results")
                .then().statusCode(422).body("errors[0].field", equalTo("correct"));

        // Kafka: a poison message first (dead-lettered with its reason), then the other five results
        TopicReader.send(bootstrap, Topics.EVAL_RESULTS, id, "{not json");
        String[][] rest = {
                {"sheet-1|false", "1200", null, null},          // wrong against the expected 1,250
                {"sheet-2|true", "march", "true", null},         // normalised match
                {"sheet-2|false", "April", "true", null},        // the runner claims correct; the checker says wrong
                {"web-1|true", null, "true", null},              // no expected answer: the runner's verdict
                {"web-1|false", null, null, "browser crashed"}}; // could not complete
        for (String[] r : rest) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("evaluationId", id);
            m.put("episodeId", episodeOf.apply(r[0]));
            if (r[1] != null) {
                m.put("answer", r[1]);
            }
            if (r[2] != null) {
                m.put("correct", Boolean.parseBoolean(r[2]));
            }
            if (r[3] != null) {
                m.put("error", r[3]);
            }
            TopicReader.send(bootstrap, Topics.EVAL_RESULTS, id, Json.write(m));
        }
        JsonNode ev = awaitEnd(id);
        assertThat(ev.path("status").asText()).isEqualTo("completed");
        assertThat(ev.path("progress").path("done").asInt()).isEqualTo(6);
        assertThat(ev.path("progress").path("errors").asInt()).isEqualTo(1);
        JsonNode base = condition(ev, "no skill");
        assertThat(base.path("successes").asInt()).isEqualTo(0);
        assertThat(base.path("episodes").asInt()).isEqualTo(2);
        assertThat(base.path("errors").asInt()).isEqualTo(1);
        JsonNode skill = ev.path("report").path("conditions").get(1);
        assertThat(skill.path("successes").asInt()).isEqualTo(3);
        assertThat(skill.path("pairs").asInt()).isEqualTo(2);

        List<ConsumerRecord<String, String>> dlq = TopicReader.read(bootstrap, "evaluator-dlq", r -> "{not json".equals(r.value()), 1, Duration.ofSeconds(20));
        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8)).contains("unreadable eval result");

        // the runner's trajectory is stored as the episode's labelled trajectory, under the episode id, with the evaluator's verdict
        JsonNode stored = Json.mapper().valueToTree(given().auth().oauth2(ADMIN).get("/v1/evaluations/" + id + "/episodes/" + episodeOf.apply("sheet-1|true"))
                .then().statusCode(200).extract().as(Map.class));
        assertThat(stored.path("status").asText()).isEqualTo("CORRECT");
        assertThat(stored.path("source").asText()).isEqualTo("rest");
        assertThat(stored.path("trajectory").path("id").asText()).isEqualTo(episodeOf.apply("sheet-1|true"));
        assertThat(stored.path("trajectory").path("expectedAnswer").asText()).isEqualTo("1,250");
        assertThat(stored.path("trajectory").path("steps").get(0).path("action").path("tool").asText()).isEqualTo("open_sheet");
        assertThat(stored.path("promptTokens").asInt()).isEqualTo(900);

        // a late result for an episode already recorded is a duplicate and changes nothing
        given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body(Json.write(Map.of("episodeId", episodeOf.apply("sheet-1|false"), "answer", "1,250"))).post("/v1/evaluations/" + id + "/results")
                .then().statusCode(200).body("duplicates", equalTo(1));
        assertThat(condition(awaitEnd(id), "no skill").path("successes").asInt()).isEqualTo(0);
        assertThat(model.requests()).as("external evaluations call no model here").isEmpty();
    }

    static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badRequestsAreProblemsNamingTheField() {
        String[][] cases = {
                // body, status, field (or a detail fragment)
                {"{\"includeNoSkill\": true}", "422", "taskset"},
                {"{\"taskset\": \"mmlu\"}", "422", "taskset"},
                {"{\"taskset\": \"gsm8k\", \"range\": {\"from\": 5, \"to\": 2}}", "422", "range"},
                {"{\"taskset\": \"gsm8k\", \"range\": {\"from\": 50, \"to\": 60}}", "422", "range"},
                {"{\"taskset\": \"gsm8k\", \"range\": {\"from\": 0, \"to\": 2}, \"sample\": {\"size\": 2, \"seed\": 1}}", "422", "sample"},
                {"{\"taskset\": \"gsm8k\", \"sample\": {\"size\": 0, \"seed\": 1}}", "422", "sample.size"},
                {"{\"taskset\": \"gsm8k\", \"skills\": [\"Not A Ref\"]}", "422", "skills[0]"},
                {"{\"taskset\": \"gsm8k\", \"skills\": [{\"name\": \"x\"}]}", "422", "skills[0]"},
                {"{\"taskset\": \"gsm8k\", \"skills\": [{\"name\": \"wrong-name\", \"files\": {\"SKILL.md\": \"---\\nname: other\\ndescription: d\\n---\\n# T\\n\"}}]}", "422", "skills[0].files.SKILL.md"},
                {"{\"taskset\": \"gsm8k\", \"skills\": [42]}", "400", "skills"},
                {"{\"taskset\": \"gsm8k\", \"includeNoSkill\": false}", "422", "skills"},
                {"{\"taskset\": \"gsm8k\", \"models\": [{\"endpoint\": \"nowhere\"}]}", "422", "models[0].endpoint"},
                {"{\"taskset\": \"gsm8k\", \"models\": [{\"model\": \"a\"}, {\"model\": \"a\"}]}", "422", "models[1].model"},
                {"{\"taskset\": \"gsm8k\", \"models\": [{\"model\": \"a\", \"baseUrl\": \"ftp://x\"}]}", "422", "models[0].baseUrl"},
                {"{\"taskset\": \"gsm8k\", \"seeds\": [1, 1]}", "422", "seeds"},
                {"{\"taskset\": \"gsm8k\", \"seeds\": [\"one\"]}", "400", "seeds"},
                {"{\"taskset\": \"gsm8k\", \"concurrency\": 0}", "422", "concurrency"},
                {"{\"taskset\": \"gsm8k\", \"budget\": {\"maxTokens\": -5}}", "422", "budget.maxTokens"},
                {"{\"taskset\": \"gsm8k\", \"runner\": \"cloud\"}", "422", "runner"},
                {"{\"taskset\": \"gsm8k\", \"tasks\": [{\"id\": \"a\", \"question\": \"q\"}]}", "422", "tasks"},
                {"{\"taskset\": \"inline\"}", "422", "taskset"},
                {"{\"taskset\": \"inline\", \"tasks\": [{\"id\": \"a\", \"question\": \"q\", \"expected\": \"1\", \"checker\": \"psychic\"}]}", "422", "tasks[0].checker"},
                {"{\"taskset\": \"inline\", \"tasks\": [{\"id\": \"a\", \"question\": \"q\"}]}", "422", "tasks[0].expected"},
                {"{\"taskset\": \"inline\", \"tasks\": [{\"id\": \"a\", \"question\": \"q\", \"expected\": \"1\"}, {\"id\": \"a\", \"question\": \"r\", \"expected\": \"2\"}]}", "422", "tasks[1].id"},
                {"{\"taskset\": \"inline\", \"tasks\": [{\"id\": \"a\", \"question\": \"\", \"expected\": \"1\"}]}", "422", "tasks[0].question"},
                {"{\"taskset\": \"gsm8k\", \"sendTrajectories\": {}}", "422", "sendTrajectories.dataset"},
                {"{\"taskset\": \"gsm8k\", \"authors\": {\"other@1\": \"gpt\"}}", "422", "authors.other@1"},
                {"{\"taskset\": \"gsm8k\", \"concurrency\": \"many\"}", "400", "concurrency"},
                {"{\"taskset\": ", "400", null},
                {"[1, 2]", "400", null},
        };
        for (String[] c : cases) {
            var response = given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(c[0]).post("/v1/evaluations")
                    .then().extract();
            assertThat(response.statusCode()).as(c[0] + " → " + response.asString()).isEqualTo(Integer.parseInt(c[1]));
            assertThat(response.contentType()).as(c[0] + " → " + response.asString()).startsWith("application/problem+json");
            if (c[2] != null) {
                List<String> fields = response.jsonPath().getList("errors.field");
                assertThat(fields).as(c[0] + " → " + response.asString()).anySatisfy(f -> assertThat(f).startsWith(c[2]));
            }
        }
        given().contentType(ContentType.JSON).body("{\"taskset\": \"gsm8k\"}").post("/v1/evaluations").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body("{\"taskset\": \"gsm8k\"}")
                .post("/v1/evaluations").then().statusCode(403);
        given().get("/v1/evaluations/ev-missing").then().statusCode(404).contentType("application/problem+json");
        given().get("/v1/evaluations?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().header("Authorization", TOKEN).post("/v1/evaluations/ev-missing/cancel").then().statusCode(404);
        // the skill registry is down in this test: a name@version skill cannot be resolved, and says so
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body("{\"taskset\": \"gsm8k\", \"skills\": [\"table-qa@1\"]}")
                .post("/v1/evaluations").then().statusCode(502).body("detail", containsString("unreachable"));
        assertThat(model.requests()).isEmpty();
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/evaluations"));
    }

    static final String SUMS = "[{\"id\": \"sum-a\", \"question\": \"Mia had 12 marbles and found 30 more on the way home. How many marbles now?\", \"expected\": \"42\"},"
            + "{\"id\": \"sum-b\", \"question\": \"Tom had 15 stamps and bought 27 more at the shop today. How many stamps now?\", \"expected\": \"42\"},"
            + "{\"id\": \"sum-c\", \"question\": \"Ann had 19 shells and picked 24 more along the beach. How many shells now?\", \"expected\": \"43\"},"
            + "{\"id\": \"sum-d\", \"question\": \"Leo had 21 cards and won 13 more in the school game. How many cards now?\", \"expected\": \"34\"}]";
    static final String INLINE_S0 = "{\"name\": \"sums\", \"files\": {\"SKILL.md\": \"---\\nname: sums\\ndescription: Adds two counts.\\n---\\n# Sums\\nAdd the counts.\\n\"}}";

    @Test
    void experimentsRefuseBadRequestsAndSkillsHoldingHeldOutTasksBeforeAnythingRuns() {
        String[][] cases = {
                // body, status, field
                {"{\"s0\": " + INLINE_S0 + "}", "422", "taskset"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + "}", "422", "s0"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": {\"name\": \"sums\", \"domain\": \"sums\", \"files\": {}}}", "422", "s0"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": {\"name\": \"Bad Name\", \"domain\": \"sums\"}}", "422", "s0.name"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"split\": {\"evolve\": 3, \"test\": 3}}", "422", "split"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"split\": {\"evolve\": 0}}", "422", "split.evolve"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"rounds\": 0}", "422", "rounds"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"evolveSeeds\": [1, 1]}", "422", "evolveSeeds"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"users\": []}", "422", "users"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"users\": [{\"model\": \"a\"}, {\"model\": \"a\"}]}", "422", "users[1].model"},
                {"{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"s0\": " + INLINE_S0 + ", \"run\": {\"mergeBranching\": 1}}", "422", "run.mergeBranching"},
                {"{\"taskset\": \"gsm8k\", \"range\": {\"from\": 0, \"to\": 1}, \"s0\": " + INLINE_S0 + "}", "422", "taskset"},
        };
        for (String[] c : cases) {
            var response = given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(c[0]).post("/v1/experiments")
                    .then().extract();
            assertThat(response.statusCode()).as(c[0] + " → " + response.asString()).isEqualTo(Integer.parseInt(c[1]));
            assertThat(response.contentType()).as(c[0] + " → " + response.asString()).startsWith("application/problem+json");
            List<String> fields = response.jsonPath().getList("errors.field");
            assertThat(fields).as(c[0] + " → " + response.asString()).anySatisfy(f -> assertThat(f).startsWith(c[2]));
        }
        // S0 holds a held-out question (whichever tasks the split holds out, all four are in the reference file): 422
        // naming the skill and the file, and nothing is registered or run (the registry is down in this test)
        StringBuilder worked = new StringBuilder("# Worked problems\\n");
        Json.read(SUMS, JsonNode.class).forEach(t -> worked.append(t.path("question").asText()).append(" ").append(t.path("expected").asText())
                .append("\\n\\n"));
        String leaky = "{\"taskset\": \"inline\", \"tasks\": " + SUMS + ", \"split\": {\"evolve\": 2, \"test\": 2, \"seed\": 3}, "
                + "\"s0\": {\"name\": \"sums\", \"files\": {\"SKILL.md\": \"---\\nname: sums\\ndescription: Adds two counts.\\n---\\n# Sums\\nSee the worked problems.\\n\", "
                + "\"references/worked.md\": \"" + worked + "\"}}}";
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(leaky).post("/v1/experiments").then().statusCode(422)
                .contentType("application/problem+json").body("detail", containsString("sums (inline)"))
                .body("detail", containsString("references/worked.md")).body("errors[0].field", equalTo("s0"));
        given().contentType(ContentType.JSON).body(leaky).post("/v1/experiments").then().statusCode(401);
        given().get("/v1/experiments/ex-missing").then().statusCode(404).contentType("application/problem+json");
        given().get("/v1/experiments/ex-missing/report").then().statusCode(404);
        given().header("Authorization", TOKEN).post("/v1/experiments/ex-missing/cancel").then().statusCode(404);
        assertThat(model.requests()).isEmpty();
    }
}
