package dev.trace2skill.ingest;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed and hostile requests: each gets its status and an RFC 7807 problem (or a per-record report) that names the
 * field or reason; the service keeps serving (every case runs against the same instance, and the last one is valid).
 */
@QuarkusTest
class HostileInputTest {
    static final String T = "/v1/trajectories";
    static final String IMPORT = "/v1/trajectories/import";
    static final String GOOD = "{\"id\":\"h-%s\",\"query\":\"q\",\"outcome\":{\"success\":true}}";
    static final String SKILL_MD = "---\nname: hostile\ndescription: A skill.\n---\n# Hostile\n";

    record Case(String name, String method, String path, String contentType, byte[] body, Map<String, String> query,
                String token, int status, String expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String path, String contentType, String body, Map<String, String> query, int status, String expect) {
        return new Case(name, "POST", path, contentType, body.getBytes(StandardCharsets.UTF_8), query, IngestInfra.TOKEN, status, expect);
    }

    static Case t(String name, String body, int status, String expect) {
        return c(name, T, "application/json", body, Map.of("dataset", "hostile"), status, expect);
    }

    static Case imp(String name, String format, String body, int status, String expect) {
        return c(name, IMPORT, "application/json", body, Map.of("dataset", "hostile", "format", format), status, expect);
    }

    static Case zip(String name, byte[] zip, int status, String expect) {
        return new Case(name, "POST", "/v1/skills", "application/zip", zip, Map.of(), IngestInfra.TOKEN, status, expect);
    }

    static Case run(String name, String body, int status, String expect) {
        return c(name, "/v1/runs", "application/json", body, Map.of(), status, expect);
    }

    static List<Case> cases() throws IOException {
        List<Case> cs = new ArrayList<>();
        cs.add(new Case("no token", "POST", T, "application/json", GOOD.formatted(1).getBytes(), Map.of("dataset", "hostile"), null, 401, "Bearer"));
        cs.add(new Case("wrong token", "POST", T, "application/json", GOOD.formatted(1).getBytes(), Map.of("dataset", "hostile"), "nope", 403, "not valid"));
        cs.add(c("missing dataset", T, "application/json", GOOD.formatted(1), Map.of(), 400, "\"field\":\"dataset\""));
        cs.add(c("dataset with a slash", T, "application/json", GOOD.formatted(1), Map.of("dataset", "../etc"), 400, "\"field\":\"dataset\""));
        cs.add(t("malformed JSON", "{\"id\": ", 422, "malformed JSON"));
        cs.add(t("empty body", "", 400, "no records"));
        cs.add(t("a JSON string", "\"hello\"", 422, "expected a JSON object or array"));
        cs.add(t("array of numbers", "[1, 2]", 422, "\"record\":1"));
        cs.add(t("missing outcome", "{\"id\":\"h-x\",\"query\":\"q\"}", 422, "\"field\":\"outcome\""));
        cs.add(t("missing query", "{\"id\":\"h-x\",\"outcome\":{\"success\":true}}", 422, "\"field\":\"query\""));
        cs.add(t("missing id", "{\"query\":\"q\",\"outcome\":{\"success\":true}}", 422, "\"field\":\"id\""));
        cs.add(t("id with a slash", "{\"id\":\"a/b\",\"query\":\"q\",\"outcome\":{\"success\":true}}", 422, "\"field\":\"id\""));
        cs.add(t("id too long", "{\"id\":\"" + "a".repeat(201) + "\",\"query\":\"q\",\"outcome\":{\"success\":true}}", 422, "\"field\":\"id\""));
        cs.add(t("query is a number", "{\"id\":\"h-x\",\"query\":5,\"outcome\":{\"success\":true}}", 422, "\"field\":\"query\""));
        cs.add(t("success is a string", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":\"yes\"}}", 422, "\"field\":\"outcome.success\""));
        cs.add(t("steps is a string", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":\"many\"}", 422, "\"field\":\"steps\""));
        cs.add(t("empty tool name", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[{\"action\":{\"tool\":\"\"}}]}", 422, "steps[0].action.tool"));
        cs.add(t("arguments are text", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[{\"action\":{\"tool\":\"t\",\"arguments\":\"x\"}}]}", 422, "steps[0].action.arguments"));
        cs.add(t("unknown field", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":true},\"secret\":1}", 422, "unknown field 'secret'"));
        cs.add(t("NaN reward", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":true,\"reward\":NaN}}", 422, "malformed JSON"));
        cs.add(t("negative tokens", "{\"id\":\"h-x\",\"query\":\"q\",\"outcome\":{\"success\":true},\"usage\":{\"promptTokens\":-1,\"completionTokens\":0}}", 422, "\"field\":\"usage\""));
        cs.add(t("trajectory over the size limit", "{\"id\":\"h-big\",\"query\":\"" + "x".repeat(1_100_000) + "\",\"outcome\":{\"success\":true}}", 413, "too large"));
        cs.add(new Case("invalid UTF-8", "POST", T, "application/json", new byte[]{'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'},
                Map.of("dataset", "hostile"), IngestInfra.TOKEN, 422, "malformed JSON"));
        cs.add(c("text/plain body", T, "text/plain", GOOD.formatted(1), Map.of("dataset", "hostile"), 415, "Unsupported media type"));
        cs.add(t("nesting 1,000 deep", "{\"id\":\"h-deep\",\"query\":\"q\",\"outcome\":{\"success\":true},\"metadata\":" + "[".repeat(1000) + "]".repeat(1000) + "}", 422, "malformed JSON"));
        cs.add(t("same id, other content, in one batch", "[" + GOOD.formatted("dup") + "," + GOOD.formatted("dup").replace("\"q\"", "\"z\"") + "]", 200, "\"status\":409"));
        cs.add(c("one NDJSON line over the limit", T, "application/x-ndjson", GOOD.formatted("nd1") + "\n{\"id\":\"h-nd2\",\"query\":\"" + "y".repeat(1_100_000)
                + "\",\"outcome\":{\"success\":true}}\n" + GOOD.formatted("nd3") + "\n", Map.of("dataset", "hostile"), 200, "\"status\":413"));
        cs.add(c("import without format", IMPORT, "application/json", "[]", Map.of("dataset", "hostile"), 400, "\"field\":\"format\""));
        cs.add(imp("unknown format", "csv", "[]", 400, "openai-messages"));
        cs.add(imp("openai record without messages", "openai-messages", "[{\"reward\":1}]", 422, "\"field\":\"traj\""));
        cs.add(imp("openai record without reward", "openai-messages", "[{\"traj\":[{\"role\":\"user\",\"content\":\"hi\"}]}]", 422, "\"field\":\"reward\""));
        cs.add(imp("openai reward is text", "openai-messages", "[{\"reward\":\"high\",\"traj\":[{\"role\":\"user\",\"content\":\"hi\"}]}]", 422, "must be a number"));
        cs.add(imp("openai tool call without a name", "openai-messages", "[{\"reward\":1,\"traj\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"arguments\":\"{}\"}}]}]}]", 422, "traj[1].tool_calls[0].function.name"));
        cs.add(imp("openai without a user message", "openai-messages", "[{\"reward\":1,\"traj\":[{\"role\":\"assistant\",\"content\":\"hi\"}]}]", 422, "no user message"));
        cs.add(imp("openai unknown role", "openai-messages", "[{\"reward\":1,\"traj\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"robot\",\"content\":\"x\"}]}]", 422, "traj[1].role"));
        cs.add(imp("react without traj or text", "react", "[{\"reward\":true}]", 422, "\"field\":\"traj\""));
        cs.add(imp("react text without a question", "react", "[{\"reward\":true,\"text\":\"Thought: hm\"}]", 422, "no question"));
        cs.add(imp("react without outcome", "react", "[{\"text\":\"Question: q\"}]", 422, "missing outcome"));
        cs.add(imp("otlp without resourceSpans", "otlp-json", "{\"resourceSpans\": 5}", 422, "resourceSpans"));
        cs.add(imp("otlp trace without outcome", "otlp-json", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"ab\",\"name\":\"chat\","
                + "\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},{\"key\":\"gen_ai.prompt\",\"value\":{\"stringValue\":\"q\"}}]}]}]}]}",
                422, "t2s.outcome.success"));
        cs.add(imp("swe-agent submitted without a label", "swe-agent", "{\"problem_statement\":\"p\",\"trajectory\":[],\"info\":{\"exit_status\":\"submitted\"}}", 422, "info.resolved"));
        cs.add(imp("swe-agent without trajectory", "swe-agent", "{\"problem_statement\":\"p\",\"info\":{\"resolved\":true}}", 422, "\"field\":\"trajectory\""));
        cs.add(zip("zip with ../ entry", zip(Map.of("SKILL.md", SKILL_MD, "../evil.sh", "rm -rf /"), null), 400, "unsafe entry name"));
        cs.add(zip("zip with an absolute path", zip(Map.of("SKILL.md", SKILL_MD, "/etc/passwd", "x"), null), 400, "absolute"));
        cs.add(zip("zip with a symbolic link", zip(Map.of("SKILL.md", SKILL_MD), "references/link.md"), 400, "symbolic link"));
        cs.add(zip("zip bomb", zip(Map.of("SKILL.md", SKILL_MD, "assets/zeros.bin", "\0".repeat(30 * 1024 * 1024)), null), 413, "zip bomb"));
        cs.add(zip("not a zip", "hello".getBytes(), 400, "not a readable zip"));
        cs.add(c("skill JSON breaking several rules", "/v1/skills", "application/json",
                "{\"name\":\"Bad_Name\",\"files\":{\"SKILL.md\":\"---\\nname: Bad_Name\\nversion: 2\\n---\\nbody\\n\"}}", Map.of(), 422, "description.required"));
        cs.add(c("skill JSON without files", "/v1/skills", "application/json", "{\"name\":\"x\"}", Map.of(), 400, "\"field\":\"files\""));
        cs.add(c("skill JSON with a traversal path", "/v1/skills", "application/json",
                "{\"name\":\"x\",\"files\":{\"SKILL.md\":\"x\",\"../../x\":\"y\"}}", Map.of(), 400, "'..'"));
        cs.add(c("skill JSON with a binary value", "/v1/skills", "application/json", "{\"name\":\"x\",\"files\":{\"SKILL.md\":5}}", Map.of(), 400, "files.SKILL.md"));
        cs.add(run("run without skill", "{\"trajectories\":{\"dataset\":\"hostile\"}}", 400, "\"field\":\"skill\""));
        cs.add(run("run of an unknown skill", "{\"skill\":\"nope\",\"trajectories\":{\"dataset\":\"hostile\"}}", 404, "no skill named nope"));
        cs.add(run("run with a bad version", "{\"skill\":\"nope@abc\",\"trajectories\":{\"dataset\":\"hostile\"}}", 400, "version number"));
        cs.add(run("run with a bad mode", "{\"skill\":\"nope\",\"mode\":\"sideways\",\"trajectories\":{\"dataset\":\"hostile\"}}", 400, "\"field\":\"mode\""));
        cs.add(run("run with branching 1", "{\"skill\":\"nope\",\"mergeBranching\":1,\"trajectories\":{\"dataset\":\"hostile\"}}", 400, "mergeBranching"));
        cs.add(run("run without a selection", "{\"skill\":\"nope\"}", 400, "\"field\":\"trajectories\""));
        cs.add(run("run with malformed JSON", "{\"skill\": ", 400, "Malformed JSON"));
        cs.add(t("valid after all of that", GOOD.formatted("last"), 201, "\"accepted\":1"));
        return cs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithStatusAndReason(Case c) {
        RequestSpecification req = given().contentType(c.contentType()).body(c.body());
        if (c.token() != null) {
            req = req.auth().oauth2(c.token());
        }
        for (Map.Entry<String, String> q : c.query().entrySet()) {
            req = req.queryParam(q.getKey(), q.getValue());
        }
        Response r = req.request(c.method(), c.path());
        String body = r.asString();
        assertThat(r.statusCode()).as(c.name() + ": " + body).isEqualTo(c.status());
        assertThat(body).as(c.name()).contains(c.expect());
        if (c.status() >= 400) {
            assertThat(r.contentType()).as(c.name()).startsWith("application/problem+json");
        }
    }

    static byte[] zip(Map<String, String> files, String symlink) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> e : new LinkedHashMap<>(files).entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
            if (symlink != null) {
                ZipArchiveEntry link = new ZipArchiveEntry(symlink);
                link.setUnixMode(0120777);
                out.putArchiveEntry(link);
                out.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
