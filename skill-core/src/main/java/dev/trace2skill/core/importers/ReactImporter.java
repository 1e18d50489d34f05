package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ReAct logs — "Thought: … / Action: tool[arg] / Observation: …", numbered or not — as message lists (FireAct:
 * {@code {reward, em, f1, gt, pred, traj: [{role, content}]}}, keyed by question id) or as plain text blocks
 * ({@code {id?, text, success?|reward?, expected_answer?}}).
 * <ul>
 *   <li>query: the first user message (or the {@code Question:} line), without its {@code Question:} label;</li>
 *   <li>each Thought/Action pair is a step; the action {@code search[Seth MacFarlane]} becomes tool {@code search}
 *       with arguments {@code {"input": "Seth MacFarlane"}}; the next Observation is its observation;</li>
 *   <li>{@code finish[x]} stays a step (tool {@code finish}) and x is the final answer ({@code pred} otherwise);</li>
 *   <li>outcome: {@code success}, else {@code reward} (boolean, or a number ≥ 1), else {@code em}; expected answer:
 *       {@code gt} or {@code expected_answer}.</li>
 * </ul>
 */
public final class ReactImporter implements TrajectoryImporter {
    public static final String FORMAT = "react";
    /** Markers at line starts, and an inline "… Action: tool[" that some models write on the thought's line. */
    private static final Pattern MARKER = Pattern.compile(
            "(?m)(?:^\\s*(Question|Thought|Action|Observation)(?:\\s*\\d+)?\\s*:\\s?|(?<=\\s)(Action)(?:\\s*\\d+)?\\s*:\\s?(?=[A-Za-z_][\\w\\-]*\\[))");
    /** {@code tool[argument]}, tolerating a missing closing bracket (truncated generations) and text after it. */
    private static final Pattern ACTION = Pattern.compile("(?s)^\\s*([A-Za-z_][\\w\\-]*)\\s*\\[(.*)$");

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("traj", "messages", "text", "reward", "gt", "pred", "em", "f1", "prompt", "id", "success");
    }

    private record Part(String label, String text) {
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        List<FieldError> errors = new ArrayList<>();
        Outcome outcome = outcome(r, errors);
        List<Part> parts = new ArrayList<>();
        String query = null;
        JsonNode messages = r.has("traj") ? r.get("traj") : r.get("messages");
        if (messages != null && messages.isArray()) {
            for (int i = 0; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                String content = Nodes.text(m.get("content"));
                if (content == null) {
                    continue;
                }
                if ("user".equals(m.path("role").asText()) && query == null) {
                    query = stripLabel(content);
                } else {
                    parts.addAll(split(content, "user".equals(m.path("role").asText()) ? "Observation" : "Thought"));
                }
            }
        } else if (r.hasNonNull("text")) {
            for (Part p : split(r.get("text").asText(), "Question")) {
                if (p.label().equals("Question") && query == null) {
                    query = p.text();
                } else {
                    parts.add(p);
                }
            }
        } else {
            errors.add(new FieldError("traj", "a ReAct record needs traj (messages) or text"));
        }
        if (query == null && errors.isEmpty()) {
            errors.add(new FieldError(r.has("text") ? "text" : "traj", "no question: the first user message or a 'Question:' line is required"));
        }
        if (!errors.isEmpty()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        StepList steps = new StepList();
        String thought = null;
        String finalAnswer = r.hasNonNull("pred") ? r.get("pred").asText() : null;
        int last = -1;
        for (Part p : parts) {
            switch (p.label()) {
                case "Thought" -> thought = thought == null ? p.text() : thought + "\n" + p.text();
                case "Action" -> {
                    ToolCall call = action(p.text());
                    last = steps.add(thought, call, null);
                    thought = null;
                    if (call.tool().equalsIgnoreCase("finish")) {
                        finalAnswer = call.arguments().path("input").asText();
                    }
                }
                case "Observation" -> {
                    if (steps.awaitsObservation(last)) {
                        steps.observe(last, p.text(), null);
                    } else {
                        steps.add(null, null, p.text());
                    }
                }
                default -> {
                }
            }
        }
        if (thought != null) {
            steps.add(thought, null, null);
        }
        String expected = r.hasNonNull("gt") ? r.get("gt").asText() : r.hasNonNull("expected_answer") ? r.get("expected_answer").asText() : null;
        String id = r.hasNonNull("id") ? r.get("id").asText()
                : Nodes.id(options.idPrefix(), raw.key() != null ? raw.key() : Integer.toString(raw.index()));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        for (String f : List.of("em", "f1")) {
            if (r.has(f) && r.get(f).isValueNode()) {
                metadata.put(f, r.get(f).isNumber() ? (Object) r.get(f).asDouble() : r.get(f).asText());
            }
        }
        Trajectory t = new Trajectory(id, raw.key(), query, steps.build(), finalAnswer, outcome, expected,
                r.hasNonNull("model") ? r.get("model").asText() : options.model(), null, null, metadata);
        return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
    }

    /**
     * {@code search[Seth MacFarlane]} → search {"input": "Seth MacFarlane"}; an unterminated {@code search[abc} keeps
     * "abc"; text after the closing bracket is kept as {@code trailing}; an action without brackets is its first word
     * with the rest as input.
     */
    static ToolCall action(String text) {
        Matcher m = ACTION.matcher(text);
        if (m.matches()) {
            String rest = m.group(2);
            int close = rest.lastIndexOf(']');
            ToolCall call = ToolCall.withInput(m.group(1), (close >= 0 ? rest.substring(0, close) : rest).strip());
            String trailing = close >= 0 ? rest.substring(close + 1).strip() : "";
            if (!trailing.isEmpty()) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) call.arguments()).put("trailing", trailing);
            }
            return call;
        }
        String[] words = text.strip().split("\\s+", 2);
        return ToolCall.withInput(words[0], words.length > 1 ? words[1] : "");
    }

    private static Outcome outcome(JsonNode r, List<FieldError> errors) {
        if (r.has("success") || r.has("correct") || r.has("reward")) {
            return OpenAiMessagesImporter.outcome(r, errors);
        }
        if (r.has("em") && r.get("em").isBoolean()) {
            return Outcome.of(r.get("em").asBoolean());
        }
        errors.add(new FieldError("reward", "missing outcome: a record needs reward, success or em"));
        return null;
    }

    /** Splits a text at its ReAct markers; text before the first marker gets {@code defaultLabel}. */
    private static List<Part> split(String text, String defaultLabel) {
        List<Part> out = new ArrayList<>();
        Matcher m = MARKER.matcher(text);
        int at = 0;
        String label = defaultLabel;
        while (m.find()) {
            String before = text.substring(at, m.start()).strip();
            if (!before.isEmpty()) {
                out.add(new Part(label, before));
            }
            label = m.group(1) != null ? m.group(1) : m.group(2);
            at = m.end();
        }
        String rest = text.substring(at).strip();
        if (!rest.isEmpty() || at > 0) {
            out.add(new Part(label, rest));
        }
        return out;
    }

    private static String stripLabel(String s) {
        return s.strip().replaceFirst("^Question\\s*:\\s*", "");
    }
}
