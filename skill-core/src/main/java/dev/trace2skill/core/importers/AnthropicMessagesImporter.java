package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.FieldError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic Messages API logs: {@code {id?, system?, messages: [{role, content}], model?, usage?, success?|correct?|reward?,
 * expected_answer?, task_id?}}, or a logged call {@code {request: {system, messages, model}, response: {content, model,
 * usage}, …}} (the response is the transcript's last assistant turn). Content is a string or a list of blocks:
 * <ul>
 *   <li>assistant {@code tool_use} / {@code server_tool_use} blocks ({@code id, name, input}): one step each, the
 *       turn's {@code text} (and {@code thinking}) as the first call's reasoning; a text-only turn is a
 *       {@code respond} step and the final answer so far;</li>
 *   <li>user {@code tool_result} blocks ({@code tool_use_id, content, is_error}): the observation of the matching
 *       call, {@code is_error: true} recorded as the source's error mark; server tool results
 *       ({@code web_search_tool_result}, …) likewise; user text is the task (the first one, or as the query option
 *       says) or, later, the reply to a {@code respond} step;</li>
 *   <li>{@code system} (a string or text blocks) is the agent's prompt, per the {@code system} option;</li>
 *   <li>outcome as for {@code openai-messages} ({@code success}/{@code correct}, else {@code reward}), or a labels file;
 *       id: {@code id}, else {@code <prefix>-<task_id>[-<trial>]}, else {@code <prefix>-<key>}, else a content hash.</li>
 * </ul>
 */
public final class AnthropicMessagesImporter implements TrajectoryImporter {
    public static final String FORMAT = "anthropic-messages";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("messages", "system", "request", "response", "id", "model", "success", "correct", "reward", "task_id");
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        List<FieldError> errors = new ArrayList<>();
        JsonNode request = r.path("request");
        JsonNode messages = r.has("messages") ? r.get("messages") : request.get("messages");
        String listField = r.has("messages") ? "messages" : "request.messages";
        if (messages == null || !messages.isArray()) {
            errors.add(new FieldError("messages", "a list of messages is required (messages, or request.messages)"));
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        Conversation chat = new Conversation(options);
        JsonNode system = r.has("system") ? r.get("system") : request.get("system");
        if (system != null) {
            chat.system(Nodes.text(system));
        }
        List<JsonNode> all = new ArrayList<>();
        messages.forEach(all::add);
        JsonNode response = r.path("response");
        if (response.path("content").isArray() || response.path("content").isTextual()) {
            all.add(Json.mapper().createObjectNode().put("role", "assistant").set("content", response.get("content")));
        }
        for (int i = 0; i < all.size(); i++) {
            JsonNode m = all.get(i);
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            String where = i < messages.size() ? listField + "[" + i + "]" : "response";
            switch (role) {
                case "user" -> user(chat, content, where, errors);
                case "assistant" -> assistant(chat, content, where, errors);
                case "system" -> chat.system(Nodes.text(content));
                default -> errors.add(new FieldError(where + ".role", "unknown role '" + role + "' (user or assistant)"));
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        List<String> systemParts = new ArrayList<>(chat.system());
        String query = Imports.query(options, r, chat.prompt(), null, listField, errors, systemParts, metadata);
        String model = r.hasNonNull("model") ? r.get("model").asText() : response.hasNonNull("model") ? response.get("model").asText()
                : request.hasNonNull("model") ? request.get("model").asText() : null;
        return Imports.chatRecord(raw, r, options, chat, query, systemParts, metadata, errors, model,
                r.has("usage") ? r.get("usage") : response.get("usage"));
    }

    private static void user(Conversation chat, JsonNode content, String where, List<FieldError> errors) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            chat.user(content.asText());
            return;
        }
        if (!content.isArray()) {
            errors.add(new FieldError(where + ".content", "must be text or a list of content blocks"));
            return;
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode b : content) {
            String type = b.path("type").asText("");
            if (type.equals("tool_result") || type.endsWith("_tool_result")) {
                boolean error = b.path("is_error").asBoolean(false) || b.path("content").path("type").asText("").endsWith("_error");
                chat.toolResult(b.path("tool_use_id").asText(null), null, result(b.get("content")), error ? Boolean.TRUE : null);
            } else if (type.equals("text") || type.isEmpty()) {
                String t = b.isTextual() ? b.asText() : b.path("text").asText("");
                if (!t.isEmpty()) {
                    text.append(text.isEmpty() ? "" : "\n").append(t);
                }
            }
        }
        if (!text.isEmpty()) {
            chat.user(text.toString());
        }
    }

    private static void assistant(Conversation chat, JsonNode content, String where, List<FieldError> errors) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isTextual()) {
            chat.assistant(content.asText(), List.of());
            return;
        }
        if (!content.isArray()) {
            errors.add(new FieldError(where + ".content", "must be text or a list of content blocks"));
            return;
        }
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        List<Conversation.Call> calls = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode b = content.get(i);
            String type = b.path("type").asText("");
            switch (type) {
                case "text" -> append(text, b.path("text").asText(""));
                case "thinking" -> append(thinking, b.path("thinking").asText(""));
                case "tool_use", "server_tool_use", "mcp_tool_use" -> {
                    String name = b.path("name").asText("");
                    if (name.isBlank()) {
                        errors.add(new FieldError(where + ".content[" + i + "].name", "is required"));
                        continue;
                    }
                    calls.add(new Conversation.Call(b.path("id").asText(null), name, b.get("input")));
                }
                default -> {
                    if (type.endsWith("_tool_result")) {
                        // a server tool's result comes back inside the assistant turn
                        boolean error = b.path("content").path("type").asText("").endsWith("_error");
                        chat.assistant(thinking.toString(), text.toString(), calls);
                        text.setLength(0);
                        thinking.setLength(0);
                        calls = new ArrayList<>();
                        chat.toolResult(b.path("tool_use_id").asText(null), null, result(b.get("content")), error ? Boolean.TRUE : null);
                    }
                }
            }
        }
        if (!text.isEmpty() || !thinking.isEmpty() || !calls.isEmpty()) {
            chat.assistant(thinking.toString(), text.toString(), calls);
        }
    }

    /** A tool result's content: text, text blocks joined, or other blocks as compact JSON. */
    private static String result(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            boolean allText = true;
            for (JsonNode b : content) {
                allText &= b.isTextual() || "text".equals(b.path("type").asText());
            }
            if (allText) {
                return Nodes.text(content);
            }
            ArrayNode copy = content.deepCopy();
            return copy.toString();
        }
        return content.toString();
    }

    private static void append(StringBuilder sb, String s) {
        if (!s.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "\n").append(s);
        }
    }
}
