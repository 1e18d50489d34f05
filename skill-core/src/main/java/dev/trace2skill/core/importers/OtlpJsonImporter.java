package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenTelemetry traces in OTLP/JSON ({@code {resourceSpans: [{resource, scopeSpans: [{spans}]}]}}) whose spans follow
 * the gen_ai semantic conventions. One trajectory per trace id, spans in start-time order:
 * <ul>
 *   <li>{@code gen_ai.operation.name = execute_tool}: a step — tool from {@code gen_ai.tool.name} (or the span name
 *       {@code execute_tool <name>}), arguments from {@code gen_ai.tool.call.arguments}, observation from
 *       {@code gen_ai.tool.call.result}; span status ERROR (code 2) or an {@code error.type} attribute marks it an error;</li>
 *   <li>model spans ({@code chat}, {@code text_completion}, {@code generate_content}): the first user message is the
 *       query — from {@code gen_ai.input.messages} (JSON), a {@code gen_ai.user.message} event, or
 *       {@code gen_ai.prompt}; assistant output ({@code gen_ai.output.messages}, a {@code gen_ai.choice} or
 *       {@code gen_ai.assistant.message} event, or {@code gen_ai.completion}) is the reasoning of the next tool step
 *       and the last one is the final answer; {@code gen_ai.usage.input_tokens}/{@code output_tokens} are summed;</li>
 *   <li>outcome, on any span or the resource: {@code t2s.outcome.success} / {@code eval.success} / {@code task.success}
 *       (boolean) or {@code t2s.outcome.reward} (success when ≥ 1); expected answer: {@code t2s.expected_answer} or
 *       {@code eval.expected_answer}; task: {@code t2s.task.id}; a labels file (keyed by trace id or task id) wins;</li>
 *   <li>the query option picks among the user messages of the first model span's {@code gen_ai.input.messages};
 *       system messages and {@code gen_ai.system_instructions} are the agent's prompt.</li>
 * </ul>
 */
public final class OtlpJsonImporter implements TrajectoryImporter {
    public static final String FORMAT = "otlp-json";
    static final List<String> SUCCESS_KEYS = List.of("t2s.outcome.success", "eval.success", "task.success");
    static final Set<String> MODEL_OPS = Set.of("chat", "text_completion", "generate_content");

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("resourceSpans", "resource_spans");
    }

    private record Span(String traceId, long start, String name, Map<String, JsonNode> attributes, JsonNode events,
                        int statusCode, Map<String, JsonNode> resource) {
        String attr(String key) {
            JsonNode v = attributes.get(key);
            return v == null ? null : Nodes.text(v);
        }
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode resourceSpans = raw.node().has("resourceSpans") ? raw.node().get("resourceSpans") : raw.node().get("resource_spans");
        if (resourceSpans == null || !resourceSpans.isArray()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(),
                    List.of(new FieldError("resourceSpans", "an OTLP/JSON export needs a resourceSpans array")), raw.bytes()));
        }
        Map<String, List<Span>> traces = new LinkedHashMap<>();
        for (JsonNode rs : resourceSpans) {
            Map<String, JsonNode> resource = attributes(rs.path("resource").path("attributes"));
            JsonNode scopes = rs.has("scopeSpans") ? rs.get("scopeSpans") : rs.path("scope_spans");
            for (JsonNode ss : scopes) {
                for (JsonNode s : ss.path("spans")) {
                    String traceId = s.path("traceId").asText(s.path("trace_id").asText(""));
                    long start = parseLong(s.path("startTimeUnixNano").asText(s.path("start_time_unix_nano").asText("0")));
                    traces.computeIfAbsent(traceId, k -> new ArrayList<>()).add(new Span(traceId, start, s.path("name").asText(""),
                            attributes(s.path("attributes")), s.path("events"), s.path("status").path("code").asInt(0), resource));
                }
            }
        }
        List<ImportRecord> out = new ArrayList<>();
        for (Map.Entry<String, List<Span>> trace : traces.entrySet()) {
            out.add(trajectory(raw, trace.getKey(), trace.getValue(), options));
        }
        return out;
    }

    private ImportRecord trajectory(RawRecord raw, String traceId, List<Span> spans, ImportOptions options) {
        spans.sort(Comparator.comparingLong(Span::start));
        List<FieldError> errors = new ArrayList<>();
        if (traceId.isBlank()) {
            errors.add(new FieldError("resourceSpans[].scopeSpans[].spans[].traceId", "is required"));
        }
        String query = null;
        String pendingReasoning = null;
        String finalAnswer = null;
        String model = options.model();
        long in = 0;
        long outTokens = 0;
        boolean sawUsage = false;
        StepList steps = new StepList(options.errorRules());
        List<String> prompt = new ArrayList<>();
        List<String> system = new ArrayList<>();
        Boolean success = null;
        Double reward = null;
        String expected = null;
        String taskId = null;
        for (Span s : spans) {
            for (Map<String, JsonNode> attrs : List.of(s.resource(), s.attributes())) {
                for (String k : SUCCESS_KEYS) {
                    if (attrs.containsKey(k)) {
                        success = attrs.get(k).isBoolean() ? attrs.get(k).asBoolean() : Boolean.parseBoolean(attrs.get(k).asText());
                    }
                }
                if (attrs.containsKey("t2s.outcome.reward")) {
                    reward = attrs.get("t2s.outcome.reward").asDouble();
                }
                for (String k : List.of("t2s.expected_answer", "eval.expected_answer")) {
                    if (attrs.containsKey(k)) {
                        expected = attrs.get(k).asText();
                    }
                }
                if (attrs.containsKey("t2s.task.id")) {
                    taskId = attrs.get("t2s.task.id").asText();
                }
            }
            String op = s.attr("gen_ai.operation.name");
            if (op == null && s.name().startsWith("execute_tool")) {
                op = "execute_tool";
            }
            if ("execute_tool".equals(op)) {
                String tool = s.attr("gen_ai.tool.name");
                if (tool == null) {
                    tool = s.name().replaceFirst("^execute_tool\\s*", "").strip();
                }
                if (tool.isEmpty()) {
                    errors.add(new FieldError("span '" + s.name() + "'.gen_ai.tool.name", "a tool span needs the tool's name"));
                    continue;
                }
                String result = s.attr("gen_ai.tool.call.result");
                boolean error = s.statusCode() == 2 || s.attributes().containsKey("error.type");
                // the source's mark is recorded as the rule "source"; without it the error rules read the result
                int step = steps.add(pendingReasoning, new ToolCall(tool, Nodes.arguments(s.attributes().get("gen_ai.tool.call.arguments"))), null);
                steps.observe(step, result, error ? Boolean.TRUE : null);
                pendingReasoning = null;
            } else if (op != null && MODEL_OPS.contains(op)) {
                if (s.attr("gen_ai.response.model") != null || s.attr("gen_ai.request.model") != null) {
                    model = s.attr("gen_ai.response.model") != null ? s.attr("gen_ai.response.model") : s.attr("gen_ai.request.model");
                }
                if (query == null) {
                    query = firstUserMessage(s);
                    promptAndSystem(s, prompt, system);
                }
                String output = assistantOutput(s);
                if (output != null && !output.isBlank()) {
                    pendingReasoning = output;
                    finalAnswer = output;
                }
                if (s.attributes().containsKey("gen_ai.usage.input_tokens") || s.attributes().containsKey("gen_ai.usage.output_tokens")) {
                    sawUsage = true;
                    in += parseLong(s.attr("gen_ai.usage.input_tokens"));
                    outTokens += parseLong(s.attr("gen_ai.usage.output_tokens"));
                }
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("traceId", traceId);
        metadata.put("spans", spans.size());
        if (query == null && options.query().kind() == QueryChoice.Kind.DEFAULT) {
            errors.add(new FieldError("gen_ai.input.messages", "no user message in any model span of trace " + traceId));
        } else {
            query = Imports.query(options, raw.node(), prompt.isEmpty() && query != null ? List.of(query) : prompt, query,
                    "gen_ai.input.messages", errors, system, metadata);
        }
        Outcome own = success == null && reward == null ? null : new Outcome(success != null ? success : reward >= 1.0 - 1e-9, reward);
        Imports.Decided decided = Imports.outcome(options, own, "record", new FieldError("t2s.outcome.success", "missing outcome for trace "
                + traceId + ": set t2s.outcome.success (or eval.success, task.success, t2s.outcome.reward) on a span or the resource"),
                errors, traceId, taskId, query);
        if (!errors.isEmpty()) {
            return ImportRecord.rejected(raw.index(), traceId, errors, raw.bytes());
        }
        if (!"record".equals(decided.source())) {
            metadata.put("labelSource", decided.source());
        }
        Imports.systemPrompt(metadata, system, options);
        Trajectory t = new Trajectory(Nodes.id(options.idPrefix(), traceId), taskId, query, steps.build(), finalAnswer, decided.outcome(),
                expected != null ? expected : decided.expected(), model, null, sawUsage ? new TokenUsage(in, outTokens) : null, metadata);
        return ImportRecord.accepted(raw.index(), traceId, t, raw.bytes());
    }

    /**
     * The user messages before the first assistant message and the system instructions of a model span's input
     * ({@code gen_ai.input.messages}, {@code gen_ai.system_instructions}).
     */
    private static void promptAndSystem(Span s, List<String> prompt, List<String> system) {
        String instructions = s.attr("gen_ai.system_instructions");
        if (instructions != null) {
            String text = instructions.startsWith("[") || instructions.startsWith("{") ? partsOrText(instructions) : instructions;
            if (text != null) {
                system.add(text);
            }
        }
        String input = s.attr("gen_ai.input.messages");
        if (input == null) {
            return;
        }
        try {
            JsonNode arr = Json.mapper().readTree(input);
            for (JsonNode m : arr.isArray() ? arr : Json.mapper().createArrayNode().add(arr)) {
                String role = m.path("role").asText();
                String text = m.has("parts") ? partsText(m.get("parts")) : Nodes.text(m.get("content"));
                if (text == null || text.isBlank()) {
                    continue;
                }
                if (role.equals("system") || role.equals("developer")) {
                    system.add(text);
                } else if (role.equals("user")) {
                    prompt.add(text);
                } else if (role.equals("assistant")) {
                    break;
                }
            }
        } catch (Exception e) {
            // not JSON: the query falls back to the first user message found otherwise
        }
    }

    private static String partsOrText(String json) {
        try {
            JsonNode n = Json.mapper().readTree(json);
            return n.isArray() ? partsText(n) : Nodes.text(n.path("content"));
        } catch (Exception e) {
            return json;
        }
    }

    private static String firstUserMessage(Span s) {
        String input = s.attr("gen_ai.input.messages");
        if (input != null) {
            String found = messageWithRole(input, "user");
            if (found != null) {
                return found;
            }
        }
        for (JsonNode e : s.events()) {
            if ("gen_ai.user.message".equals(e.path("name").asText())) {
                JsonNode content = attributes(e.path("attributes")).get("content");
                if (content != null) {
                    return Nodes.text(content);
                }
            }
        }
        return s.attr("gen_ai.prompt");
    }

    private static String assistantOutput(Span s) {
        String output = s.attr("gen_ai.output.messages");
        if (output != null) {
            String found = messageWithRole(output, "assistant");
            if (found != null) {
                return found;
            }
        }
        String fromEvent = null;
        for (JsonNode e : s.events()) {
            String name = e.path("name").asText();
            if ("gen_ai.choice".equals(name) || "gen_ai.assistant.message".equals(name)) {
                Map<String, JsonNode> a = attributes(e.path("attributes"));
                JsonNode content = a.containsKey("content") ? a.get("content") : a.get("message");
                if (content != null) {
                    String text = Nodes.text(content);
                    fromEvent = text != null && text.startsWith("{") ? messageContent(text) : text;
                }
            }
        }
        return fromEvent != null ? fromEvent : s.attr("gen_ai.completion");
    }

    /** The text of the last message with the role in a gen_ai messages JSON array ({@code [{role, parts|content}]}). */
    private static String messageWithRole(String json, String role) {
        try {
            JsonNode arr = Json.mapper().readTree(json);
            String found = null;
            for (JsonNode m : arr.isArray() ? arr : Json.mapper().createArrayNode().add(arr)) {
                if (role.equals(m.path("role").asText())) {
                    String text = m.has("parts") ? partsText(m.get("parts")) : Nodes.text(m.get("content"));
                    if (text != null && !text.isBlank()) {
                        if ("user".equals(role)) {
                            return text;
                        }
                        found = text;
                    }
                }
            }
            return found;
        } catch (Exception e) {
            return null;
        }
    }

    private static String messageContent(String json) {
        try {
            JsonNode m = Json.mapper().readTree(json);
            return m.has("parts") ? partsText(m.get("parts")) : Nodes.text(m.get("content"));
        } catch (Exception e) {
            return json;
        }
    }

    private static String partsText(JsonNode parts) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode p : parts) {
            if (p.has("content") && ("text".equals(p.path("type").asText("text")))) {
                sb.append(sb.isEmpty() ? "" : "\n").append(p.get("content").asText());
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** OTLP attributes ({@code [{key, value: {stringValue|intValue|doubleValue|boolValue|arrayValue|kvlistValue}}]}) as plain JSON values. */
    static Map<String, JsonNode> attributes(JsonNode list) {
        Map<String, JsonNode> out = new HashMap<>();
        if (list == null || !list.isArray()) {
            return out;
        }
        for (JsonNode kv : list) {
            out.put(kv.path("key").asText(), value(kv.path("value")));
        }
        return out;
    }

    private static JsonNode value(JsonNode v) {
        var f = Json.mapper().getNodeFactory();
        if (v.has("stringValue")) {
            return f.textNode(v.get("stringValue").asText());
        }
        if (v.has("boolValue")) {
            return f.booleanNode(v.get("boolValue").asBoolean());
        }
        if (v.has("intValue")) {
            return f.numberNode(parseLong(v.get("intValue").asText()));
        }
        if (v.has("doubleValue")) {
            return f.numberNode(v.get("doubleValue").asDouble());
        }
        if (v.has("arrayValue")) {
            var arr = f.arrayNode();
            v.get("arrayValue").path("values").forEach(x -> arr.add(value(x)));
            return arr;
        }
        if (v.has("kvlistValue")) {
            var obj = f.objectNode();
            attributes(v.get("kvlistValue").path("values")).forEach(obj::set);
            return obj;
        }
        return f.nullNode();
    }

    private static long parseLong(String s) {
        if (s == null || s.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
