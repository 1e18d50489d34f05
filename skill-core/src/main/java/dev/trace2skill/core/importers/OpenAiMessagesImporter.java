package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI chat-completions message lists with {@code tool_calls} and {@code tool} replies, as tau-bench stores them
 * ({@code {task_id, trial, reward, info, traj: [messages]}}) or as a generic record
 * ({@code {id?, messages, success?|correct?|reward?, expected_answer?, model?, usage?}}).
 * <ul>
 *   <li>query: the first {@code user} message, or as the import's {@code query} option says; {@code system} and
 *       {@code developer} messages are the agent's prompt, never a step (its length and SHA-256 go to metadata, its
 *       text too with {@code system=metadata});</li>
 *   <li>an assistant message with tool calls: one step per call, arguments parsed from their JSON string (kept as
 *       {@code {"input": raw}} when unparseable), the assistant's text as the first call's reasoning, and the
 *       {@code tool} message with the matching {@code tool_call_id} as the observation;</li>
 *   <li>an assistant text message: a step with action {@code respond {"content": text}} (tau-bench's own naming),
 *       observed by the next {@code user} message;</li>
 *   <li>outcome: {@code success}/{@code correct} when present, else {@code reward} (success when reward ≥ 1);</li>
 *   <li>expected answer: {@code expected_answer}, else tau-bench's {@code info.task.outputs} joined by {@code |}, else
 *       the compact JSON of {@code info.task.actions};</li>
 *   <li>outcome and expected answer from a labels file when the import has one and it names the record;</li>
 *   <li>id: {@code id}, else {@code <prefix>-<task_id>-<trial>}, else {@code <prefix>-<key>}, else a hash of the
 *       content ({@code <prefix>-<16 hex digits>}: the same record gets the same id in any upload).</li>
 * </ul>
 */
public final class OpenAiMessagesImporter implements TrajectoryImporter {
    public static final String FORMAT = "openai-messages";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("traj", "messages", "task_id", "trial", "reward", "id", "info", "success", "correct");
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        List<FieldError> errors = new ArrayList<>();
        String listField = r.has("traj") ? "traj" : "messages";
        JsonNode messages = r.get(listField);
        if (messages == null || !messages.isArray()) {
            errors.add(new FieldError("traj", "a list of chat messages is required (traj or messages)"));
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        Conversation chat = new Conversation(options);
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText("");
            String content = Nodes.text(m.get("content"));
            switch (role) {
                case "system", "developer" -> chat.system(content);
                case "user" -> chat.user(content);
                case "assistant" -> {
                    JsonNode calls = m.get("tool_calls");
                    List<Conversation.Call> list = new ArrayList<>();
                    if (calls != null && calls.isArray()) {
                        for (int c = 0; c < calls.size(); c++) {
                            JsonNode call = calls.get(c);
                            String name = call.path("function").path("name").asText(null);
                            if (name == null || name.isBlank()) {
                                errors.add(new FieldError(listField + "[" + i + "].tool_calls[" + c + "].function.name", "is required"));
                                continue;
                            }
                            list.add(new Conversation.Call(call.hasNonNull("id") ? call.get("id").asText() : null, name,
                                    call.path("function").get("arguments")));
                        }
                    }
                    chat.assistant(content, list);
                }
                case "tool", "function" -> chat.toolResult(m.path("tool_call_id").asText(null), m.path("name").asText(null), content, null);
                default -> errors.add(new FieldError(listField + "[" + i + "].role", "unknown role '" + role + "'"));
            }
        }
        List<dev.trace2skill.core.trajectory.Step> steps = chat.steps();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        List<String> system = new ArrayList<>(chat.system());
        String query = Imports.query(options, r, chat.prompt(), null, listField, errors, system, metadata);
        String taskId = r.hasNonNull("task_id") ? r.get("task_id").asText() : null;
        String explicitId = r.hasNonNull("id") ? r.get("id").asText()
                : taskId != null ? Nodes.id(options.idPrefix(), taskId + (r.has("trial") ? "-" + r.get("trial").asText() : ""))
                : raw.key() != null ? Nodes.id(options.idPrefix(), raw.key()) : null;
        Imports.Decided decided = Imports.outcome(options, outcome(r, errors), "record",
                outcomeMissing(r), errors, explicitId, r.hasNonNull("id") ? r.get("id").asText() : null, taskId, raw.key(), query);
        if (!errors.isEmpty()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        if (r.has("trial")) {
            metadata.put("trial", r.get("trial").asInt());
        }
        Imports.systemPrompt(metadata, system, options);
        if (!"record".equals(decided.source())) {
            metadata.put("labelSource", decided.source());
        }
        String id = explicitId != null ? explicitId : Nodes.contentId(options.idPrefix(), query, steps, chat.finalAnswer());
        String expected = expected(r);
        Trajectory t = new Trajectory(id, taskId, query, steps, chat.finalAnswer(), decided.outcome(),
                expected != null ? expected : decided.expected(),
                r.hasNonNull("model") ? r.get("model").asText() : options.model(), null, usage(r.get("usage")), metadata);
        return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
    }

    /** The error for a record without an outcome, or null when it has one (reported by {@link #outcome}). */
    static FieldError outcomeMissing(JsonNode r) {
        return r.has("success") || r.has("correct") || (r.has("reward") && !r.get("reward").isNull()) ? null
                : new FieldError("reward", "missing outcome: a record needs reward, success or correct");
    }

    static Outcome outcome(JsonNode r, List<FieldError> errors) {
        for (String f : List.of("success", "correct")) {
            if (r.has(f)) {
                if (!r.get(f).isBoolean()) {
                    errors.add(new FieldError(f, "must be true or false"));
                    return null;
                }
                Double reward = r.path("reward").isNumber() ? r.get("reward").asDouble() : null;
                return new Outcome(r.get(f).asBoolean(), reward);
            }
        }
        JsonNode reward = r.get("reward");
        if (reward == null || reward.isNull()) {
            return null;
        }
        if (reward.isBoolean()) {
            return new Outcome(reward.asBoolean(), reward.asBoolean() ? 1.0 : 0.0);
        }
        if (!reward.isNumber()) {
            errors.add(new FieldError("reward", "must be a number or a boolean"));
            return null;
        }
        double v = reward.asDouble();
        return new Outcome(v >= 1.0 - 1e-9, v);
    }

    private static String expected(JsonNode r) {
        if (r.hasNonNull("expected_answer")) {
            return Nodes.text(r.get("expected_answer"));
        }
        JsonNode task = r.path("info").path("task");
        JsonNode outputs = task.path("outputs");
        if (outputs.isArray() && !outputs.isEmpty()) {
            List<String> parts = new ArrayList<>();
            outputs.forEach(o -> parts.add(o.asText()));
            return String.join("|", parts);
        }
        JsonNode actions = task.path("actions");
        return actions.isArray() && !actions.isEmpty() ? actions.toString() : null;
    }

    static TokenUsage usage(JsonNode u) {
        if (u == null || !u.isObject()) {
            return null;
        }
        long prompt = u.path("prompt_tokens").asLong(u.path("promptTokens").asLong(u.path("input_tokens").asLong(0)));
        long completion = u.path("completion_tokens").asLong(u.path("completionTokens").asLong(u.path("output_tokens").asLong(0)));
        return new TokenUsage(prompt, completion);
    }

}
