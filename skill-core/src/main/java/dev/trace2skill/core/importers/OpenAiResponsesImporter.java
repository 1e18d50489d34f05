package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.FieldError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI Responses API items: a logged response with its input ({@code {id?, instructions?, input: text | [items],
 * output: [items], model?, usage?, success?|correct?|reward?}}) or a conversation's items ({@code {items: [...]}}),
 * read in order:
 * <ul>
 *   <li>{@code message} items (and {@code {role, content}} without a type): {@code system} / {@code developer} and
 *       {@code instructions} are the agent's prompt; {@code user} text is the task (the first, or as the query option
 *       says) or a later user turn; {@code assistant} text ({@code output_text}) is the reasoning of the calls that
 *       follow it, or a {@code respond} step and the final answer when no call follows;</li>
 *   <li>{@code reasoning} items: their summary (or reasoning text) is reasoning;</li>
 *   <li>{@code function_call} ({@code call_id, name, arguments}) and {@code custom_tool_call}: a step each, observed
 *       by the {@code function_call_output} / {@code custom_tool_call_output} with the same {@code call_id};
 *       {@code local_shell_call}, {@code computer_call} likewise with their outputs;</li>
 *   <li>built-in tools that carry their result: {@code web_search_call} (tool {@code web_search}, its action as
 *       arguments), {@code file_search_call} (results), {@code code_interpreter_call} (outputs), {@code mcp_call}
 *       (output or error), {@code image_generation_call}; a {@code status} of {@code failed} / {@code incomplete} or an
 *       {@code error} is the source's error mark;</li>
 *   <li>outcome, labels, id and usage as for {@code openai-messages}.</li>
 * </ul>
 */
public final class OpenAiResponsesImporter implements TrajectoryImporter {
    public static final String FORMAT = "openai-responses";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("input", "output", "items", "instructions", "id", "object", "model", "success", "correct", "reward", "task_id");
    }

    /** An assistant turn being collected: reasoning, text and calls until a non-assistant item. */
    private static final class Turn {
        final StringBuilder reasoning = new StringBuilder();
        final StringBuilder text = new StringBuilder();
        final List<Conversation.Call> calls = new ArrayList<>();

        boolean isEmpty() {
            return reasoning.isEmpty() && text.isEmpty() && calls.isEmpty();
        }

        void flushTo(Conversation chat) {
            if (!isEmpty()) {
                chat.assistant(reasoning.toString(), text.toString(), new ArrayList<>(calls));
            }
            reasoning.setLength(0);
            text.setLength(0);
            calls.clear();
        }
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        List<FieldError> errors = new ArrayList<>();
        List<JsonNode> items = new ArrayList<>();
        List<String> where = new ArrayList<>();
        Conversation chat = new Conversation(options);
        if (r.hasNonNull("instructions")) {
            chat.system(Nodes.text(r.get("instructions")));
        }
        if (r.path("input").isTextual()) {
            items.add(Json.mapper().createObjectNode().put("type", "message").put("role", "user").put("content", r.get("input").asText()));
            where.add("input");
        }
        for (String f : List.of("items", "input", "output")) {
            JsonNode list = r.get(f);
            if (list != null && list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    items.add(list.get(i));
                    where.add(f + "[" + i + "]");
                }
            } else if (list != null && !list.isNull() && !(f.equals("input") && list.isTextual())) {
                errors.add(new FieldError(f, "must be a list of items"));
            }
        }
        if (items.isEmpty() && errors.isEmpty()) {
            errors.add(new FieldError("output", "a Responses record needs items, or input and output"));
        }
        Turn turn = new Turn();
        int ignored = 0;
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> {
                    String role = item.path("role").asText("");
                    String text = Nodes.text(item.get("content"));
                    switch (role) {
                        case "assistant" -> {
                            if (!turn.calls.isEmpty()) {
                                turn.flushTo(chat);
                            }
                            append(turn.text, text);
                        }
                        case "user" -> {
                            turn.flushTo(chat);
                            chat.user(text);
                        }
                        case "system", "developer" -> {
                            turn.flushTo(chat);
                            chat.system(text);
                        }
                        default -> errors.add(new FieldError(where.get(i) + ".role", "unknown role '" + role + "'"));
                    }
                }
                case "reasoning" -> {
                    if (!turn.calls.isEmpty()) {
                        turn.flushTo(chat);
                    }
                    String summary = Nodes.text(item.get("summary"));
                    append(turn.reasoning, summary != null && !summary.isBlank() ? summary : Nodes.text(item.get("content")));
                }
                case "function_call", "custom_tool_call" -> {
                    String name = item.path("name").asText("");
                    if (name.isBlank()) {
                        errors.add(new FieldError(where.get(i) + ".name", "is required"));
                        continue;
                    }
                    JsonNode args = type.equals("function_call") ? item.get("arguments") : item.get("input");
                    turn.calls.add(new Conversation.Call(callId(item), name, args, null, failed(item)));
                }
                case "local_shell_call", "computer_call", "shell_call", "apply_patch_call" -> {
                    String name = type.substring(0, type.length() - "_call".length());
                    turn.calls.add(new Conversation.Call(callId(item), name, actionArguments(item), null, failed(item)));
                }
                case "web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call", "mcp_call" -> {
                    String name = type.equals("mcp_call") ? item.path("name").asText("mcp") : type.substring(0, type.length() - "_call".length());
                    JsonNode args = switch (type) {
                        case "mcp_call" -> item.get("arguments");
                        case "file_search_call" -> Json.mapper().createObjectNode().set("queries", item.path("queries"));
                        case "code_interpreter_call" -> Json.mapper().createObjectNode().put("code", item.path("code").asText(""));
                        default -> actionArguments(item);
                    };
                    String observation = switch (type) {
                        case "mcp_call" -> item.hasNonNull("error") ? Nodes.text(item.get("error")) : Nodes.text(item.get("output"));
                        case "file_search_call" -> item.hasNonNull("results") ? item.get("results").toString() : null;
                        case "code_interpreter_call" -> item.hasNonNull("outputs") ? outputs(item.get("outputs")) : null;
                        default -> null;
                    };
                    Boolean error = failed(item) != null || (type.equals("mcp_call") && item.hasNonNull("error")) ? Boolean.TRUE : null;
                    turn.calls.add(new Conversation.Call(item.path("id").asText(null) != null ? "builtin:" + item.path("id").asText() : null,
                            name, args, observation, error));
                }
                case "function_call_output", "custom_tool_call_output", "local_shell_call_output", "computer_call_output",
                     "shell_call_output", "apply_patch_call_output" -> {
                    turn.flushTo(chat);
                    JsonNode out = item.get("output");
                    String text = out == null || out.isNull() ? null : out.isTextual() ? out.asText() : Nodes.text(out);
                    chat.toolResult(item.path("call_id").asText(null), null, text, failed(item));
                }
                default -> ignored++;
            }
        }
        turn.flushTo(chat);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        if (ignored > 0) {
            metadata.put("ignoredItems", ignored);
        }
        List<String> systemParts = new ArrayList<>(chat.system());
        String query = items.isEmpty() ? null : Imports.query(options, r, chat.prompt(), null, "input", errors, systemParts, metadata);
        return Imports.chatRecord(raw, r, options, chat, query, systemParts, metadata, errors,
                r.hasNonNull("model") ? r.get("model").asText() : null, r.get("usage"));
    }

    private static String callId(JsonNode item) {
        return item.hasNonNull("call_id") ? item.get("call_id").asText() : item.hasNonNull("id") ? item.get("id").asText() : null;
    }

    /** TRUE when the item's status says it failed, else null. */
    private static Boolean failed(JsonNode item) {
        String status = item.path("status").asText("").toLowerCase(Locale.ROOT);
        return status.equals("failed") || status.equals("incomplete") || item.path("error").isObject() ? Boolean.TRUE : null;
    }

    private static JsonNode actionArguments(JsonNode item) {
        JsonNode action = item.get("action");
        if (action != null && action.isObject()) {
            return action;
        }
        ObjectNode o = Json.mapper().createObjectNode();
        if (item.hasNonNull("command")) {
            o.set("command", item.get("command"));
        }
        return o;
    }

    private static String outputs(JsonNode outputs) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode o : outputs) {
            String t = o.path("logs").asText(o.path("text").asText(""));
            if (!t.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : "\n").append(t);
            }
        }
        return sb.isEmpty() ? outputs.toString() : sb.toString();
    }

    private static void append(StringBuilder sb, String s) {
        if (s != null && !s.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "\n").append(s);
        }
    }
}
