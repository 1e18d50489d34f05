package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.check.NormalizedChecker;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ReAct logs — "Thought: … / Action: tool[arg] / Observation: …", numbered ({@code Thought 1:}) or not — as message
 * lists (FireAct: {@code {reward, em, f1, gt, pred, traj: [{role, content}]}}, keyed by question id), as one string
 * ({@code traj} or {@code text}: the fine-tuned models' logs, often inside an instruction template), or as plain-text
 * logs split at their questions ({@link TextLogSource}).
 * <ul>
 *   <li>query: the {@code Question:} of the first user message (the last one when the message carries few-shot
 *       examples before it, which then count as the agent's prompt), or the task inside an instruction template
 *       (Alpaca {@code ### Instruction:} and the like, {@link InstructionTemplates}); the {@code query} option
 *       overrides; {@code system} messages and template system parts are the agent's prompt;</li>
 *   <li>each Thought/Action pair is a step; the action {@code search[Seth MacFarlane]} becomes tool {@code search}
 *       with arguments {@code {"input": "Seth MacFarlane"}}; the next Observation is its observation;</li>
 *   <li>{@code finish[x]} / {@code Finish[x]} stays a step and x is the final answer ({@code pred} otherwise);</li>
 *   <li>outcome, first that applies: a labels file; the record's {@code success} / {@code correct} / {@code reward}
 *       (boolean, or a number ≥ 1) / {@code em}; the log's own lines ({@code Answer is CORRECT} / {@code INCORRECT},
 *       {@code Episode finished, reward = True}, {@code Correct: yes}, {@code reward: 1}, …); the section of a text log
 *       ({@code BEGIN CORRECT AGENTS}, {@code INCORRECT}, {@code HALTED}); else the final answer compared with the
 *       expected one by HotpotQA's normalised exact match ({@code metadata.labelSource} says which);</li>
 *   <li>expected answer: {@code gt}, {@code expected_answer}, or a {@code Correct answer:} / {@code Ground truth:} line;</li>
 *   <li>id: {@code id}, else {@code <prefix>-<key>} (FireAct's question id), else a hash of the content.</li>
 * </ul>
 */
public final class ReactImporter implements TrajectoryImporter {
    public static final String FORMAT = "react";
    /** Markers at line starts, and an inline "… Action: tool[" that some models write on the thought's line. */
    private static final Pattern MARKER = Pattern.compile(
            "(?m)(?:^\\s*(Question|Thought|Action|Observation)(?:\\s*\\d+)?\\s*:\\s?|(?<=\\s)(Action)(?:\\s*\\d+)?\\s*:\\s?(?=[A-Za-z_][\\w\\-]*\\[))");
    /** {@code tool[argument]}, tolerating a missing closing bracket (truncated generations) and text after it. */
    private static final Pattern ACTION = Pattern.compile("(?s)^\\s*([A-Za-z_][\\w\\-]*)\\s*\\[(.*)$");
    /** A verdict inside an observation or on a line of its own. */
    private static final Pattern ANSWER_VERDICT = Pattern.compile("(?i)\\banswer is (correct|incorrect|wrong|right)\\b");
    private static final Pattern EPISODE_REWARD = Pattern.compile("(?i)\\bepisode finished,?\\s*reward\\s*=\\s*(true|false|-?\\d+(?:\\.\\d+)?)\\b");
    /** A label line: removed from the transcript, read as the verdict. */
    private static final Pattern VERDICT_LINE = Pattern.compile(
            "(?im)^[ \\t]*(?:correct|is[ _]correct|correctness|success|succeeded|solved|resolved|passed|label|outcome|result|reward|score)"
                    + "[ \\t]*[:=][ \\t]*([\\w.+-]+)[ \\t]*\\.?[ \\t]*$\\n?");
    /** An expected-answer line: removed from the transcript, kept as the expected answer. */
    private static final Pattern EXPECTED_LINE = Pattern.compile(
            "(?im)^[ \\t]*(?:correct answer|ground[ _]truth|gold(?: answer)?|expected(?: answer)?|answer key|gt)[ \\t]*:[ \\t]*(.*?)[ \\t]*$\\n?");

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

    /** A log's own verdict and expected answer, read from its lines. */
    private static final class LogLabels {
        Boolean verdict;
        Double reward;
        String expected;
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        List<String> system = new ArrayList<>();
        List<String> rawPrompt = new ArrayList<>();
        List<String> cleanPrompt = new ArrayList<>();
        List<Part> parts = new ArrayList<>();
        LogLabels log = new LogLabels();
        String field = r.has("traj") ? "traj" : r.has("messages") ? "messages" : "text";
        JsonNode body = r.get(field);
        String defaultQuery = null;
        if (body != null && body.isArray()) {
            defaultQuery = messages(body, options, system, rawPrompt, cleanPrompt, parts, log);
        } else if (body != null && body.isTextual()) {
            defaultQuery = text(body.asText(), system, rawPrompt, cleanPrompt, parts, log, metadata);
        } else {
            errors.add(new FieldError("traj", "a ReAct record needs traj (messages, or the transcript as one string) or text"));
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        List<String> prompt = options.query().kind() == QueryChoice.Kind.REGEX ? rawPrompt : cleanPrompt;
        String query = defaultQuery == null && options.query().kind() == QueryChoice.Kind.DEFAULT ? null
                : Imports.query(options, r, prompt, defaultQuery, field, errors, system, metadata);
        if (query == null && errors.isEmpty()) {
            errors.add(new FieldError(field, "no question: the first user message or a 'Question:' line is required"));
        }
        StepList steps = new StepList(options.errorRules());
        String thought = null;
        String finalAnswer = r.hasNonNull("pred") ? r.get("pred").asText() : null;
        int last = -1;
        for (Part p : parts) {
            switch (p.label()) {
                case "Thought", "Question" -> thought = thought == null ? p.text() : thought + "\n" + p.text();
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
        if (thought != null && !thought.isBlank()) {
            steps.add(thought, null, null);
        }
        List<Step> built = steps.build();
        String expected = r.hasNonNull("gt") ? r.get("gt").asText() : r.hasNonNull("expected_answer") ? r.get("expected_answer").asText()
                : log.expected;
        JsonNode ctx = r.path(TextLogSource.CONTEXT_FIELD);
        int errorsBefore = errors.size();
        Outcome own = outcome(r, errors);
        boolean badOutcomeField = errors.size() > errorsBefore;
        String source = "record";
        if (own == null && log.verdict != null) {
            own = new Outcome(log.verdict, log.reward);
            source = "log";
        }
        if (own == null && ctx.hasNonNull("section")) {
            Boolean b = Labels.word(ctx.get("section").asText().replace("runtime error", "error").replace("successful", "success"));
            if (b != null) {
                own = Outcome.of(b);
                source = "section";
            }
        }
        if (own == null && expected != null && finalAnswer != null) {
            own = Outcome.of(new NormalizedChecker().check(finalAnswer, expected).correct());
            source = "exact-match";
        }
        String explicitId = r.hasNonNull("id") ? r.get("id").asText() : raw.key() != null ? Nodes.id(options.idPrefix(), raw.key()) : null;
        Imports.Decided decided = Imports.outcome(options, own, source, badOutcomeField ? null :
                new FieldError("reward", "missing outcome: a record needs reward, success or em, or the log a verdict"
                        + " ('Answer is CORRECT', 'reward = True', a 'Correct answer:' line to compare with)"),
                errors, r.hasNonNull("id") ? r.get("id").asText() : null, raw.key(), explicitId, query);
        if (!errors.isEmpty()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        for (String f : List.of("em", "f1")) {
            if (r.has(f) && r.get(f).isValueNode()) {
                metadata.put(f, r.get(f).isNumber() ? (Object) r.get(f).asDouble() : r.get(f).asText());
            }
        }
        if (ctx.hasNonNull("trial")) {
            metadata.put("trial", ctx.get("trial").asInt());
        }
        if (ctx.hasNonNull("section")) {
            metadata.put("logSection", ctx.get("section").asText());
        }
        if (!"record".equals(decided.source())) {
            metadata.put("labelSource", decided.source());
        }
        Imports.systemPrompt(metadata, system, options);
        String id = explicitId != null ? explicitId : Nodes.contentId(options.idPrefix(), query, built, finalAnswer);
        Trajectory t = new Trajectory(id, raw.key(), query, built, finalAnswer, decided.outcome(),
                expected != null ? expected : decided.expected(),
                r.hasNonNull("model") ? r.get("model").asText() : options.model(), null, null, metadata);
        return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
    }

    /**
     * A message list: system messages are the agent's prompt; user messages before the first assistant message are
     * the prompt (the first is the question, unless the query option says otherwise); later user messages are
     * observations, assistant messages thoughts and actions. Returns the default query.
     */
    private static String messages(JsonNode messages, ImportOptions options, List<String> system, List<String> rawPrompt,
                                   List<String> cleanPrompt, List<Part> parts, LogLabels log) {
        List<String> prompt = new ArrayList<>();
        List<JsonNode> rest = new ArrayList<>();
        boolean agent = false;
        for (JsonNode m : messages) {
            String content = Nodes.text(m.get("content"));
            String role = m.path("role").asText("");
            if (content == null) {
                continue;
            }
            if (role.equals("system") || role.equals("developer")) {
                system.add(content);
            } else if (!agent && role.equals("user")) {
                prompt.add(content);
            } else {
                agent = true;
                rest.add(m);
            }
        }
        int selected = options.query().selectedPromptIndex(prompt.size());
        String defaultQuery = null;
        for (int i = 0; i < prompt.size(); i++) {
            String text = prompt.get(i);
            rawPrompt.add(text);
            if (i < selected) {
                system.add(text);
                cleanPrompt.add(question(text, null, new ArrayList<>()));
            } else if (i == selected) {
                List<Part> after = new ArrayList<>();
                String q = question(text, system, after);
                cleanPrompt.add(q);
                defaultQuery = q;
                parts.addAll(after);
            } else {
                cleanPrompt.add(question(text, null, new ArrayList<>()));
                parts.addAll(split(labels(text, log), "Observation"));
            }
        }
        for (JsonNode m : rest) {
            String content = Nodes.text(m.get("content"));
            boolean user = "user".equals(m.path("role").asText()) || "tool".equals(m.path("role").asText());
            parts.addAll(split(labels(content, log), user ? "Observation" : "Thought"));
        }
        return defaultQuery;
    }

    /**
     * A transcript as one string: an instruction template is unwrapped (its task is the question, its response the
     * transcript); otherwise the question is the last {@code Question:} before the first thought or action. A
     * {@code regex:} query option runs over the whole string.
     */
    private static String text(String text, List<String> system, List<String> rawPrompt, List<String> cleanPrompt,
                               List<Part> parts, LogLabels log, Map<String, Object> metadata) {
        InstructionTemplates.Unwrapped u = InstructionTemplates.unwrap(text);
        if (u.wrapped()) {
            metadata.put("instructionTemplate", u.template());
            if (u.system() != null) {
                system.add(u.system());
            }
            rawPrompt.add(text);
            String q = question(u.user(), system, parts);
            cleanPrompt.add(q);
            if (u.response() != null) {
                parts.addAll(split(labels(u.response(), log), "Thought"));
            }
            return q;
        }
        String cleaned = labels(text, log);
        List<Part> all = split(cleaned, "Question");
        int firstStep = all.size();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).label().equals("Thought") || all.get(i).label().equals("Action")) {
                firstStep = i;
                break;
            }
        }
        int q = -1;
        for (int i = 0; i < firstStep; i++) {
            if (all.get(i).label().equals("Question")) {
                q = i;
            }
        }
        if (q < 0) {
            return null;
        }
        StringBuilder before = new StringBuilder();
        for (int i = 0; i < q; i++) {
            before.append(all.get(i).label()).append(": ").append(all.get(i).text()).append('\n');
        }
        if (!before.isEmpty()) {
            system.add(before.toString().strip());
        }
        String question = all.get(q).text();
        rawPrompt.add(text);
        cleanPrompt.add(question);
        parts.addAll(all.subList(q + 1, all.size()));
        return question;
    }

    /**
     * The question of a prompt message: the text of its last {@code Question:} part (few-shot examples before it go
     * to {@code system} when given), or the whole message without a template; parts after the question (a transcript
     * in the same message) go to {@code after}.
     */
    private static String question(String message, List<String> system, List<Part> after) {
        InstructionTemplates.Unwrapped u = InstructionTemplates.unwrap(message);
        String text = u.user();
        if (u.wrapped() && u.system() != null && system != null) {
            system.add(u.system());
        }
        List<Part> all = split(text, "Question");
        int q = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).label().equals("Question")) {
                q = i;
            }
        }
        if (q < 0) {
            return text.strip();
        }
        if (q > 0 && system != null) {
            StringBuilder before = new StringBuilder();
            for (int i = 0; i < q; i++) {
                before.append(all.get(i).label()).append(": ").append(all.get(i).text()).append('\n');
            }
            system.add(before.toString().strip());
        }
        after.addAll(all.subList(q + 1, all.size()));
        if (u.wrapped() && u.response() != null) {
            after.addAll(split(u.response(), "Thought"));
        }
        return all.get(q).text();
    }

    /** Reads and removes label lines (verdicts, expected answers); reads verdicts inside observations too. */
    private static String labels(String text, LogLabels log) {
        if (text == null) {
            return "";
        }
        Matcher e = EXPECTED_LINE.matcher(text);
        StringBuilder kept = new StringBuilder();
        int at = 0;
        while (e.find()) {
            if (!e.group(1).isBlank()) {
                log.expected = e.group(1).strip();
            }
            kept.append(text, at, e.start());
            at = e.end();
        }
        kept.append(text.substring(at));
        String s = kept.toString();
        Matcher v = VERDICT_LINE.matcher(s);
        StringBuilder rest = new StringBuilder();
        at = 0;
        while (v.find()) {
            String value = v.group(1);
            Boolean b = Labels.word(value);
            Double reward = null;
            if (b == null) {
                try {
                    reward = Double.parseDouble(value);
                    b = reward >= 1.0 - 1e-9;
                } catch (NumberFormatException notANumber) {
                    continue;
                }
            }
            log.verdict = b;
            log.reward = reward;
            rest.append(s, at, v.start());
            at = v.end();
        }
        rest.append(s.substring(at));
        String out = rest.toString();
        Matcher a = ANSWER_VERDICT.matcher(out);
        while (a.find()) {
            String w = a.group(1).toLowerCase(Locale.ROOT);
            log.verdict = w.equals("correct") || w.equals("right");
            log.reward = null;
        }
        Matcher ep = EPISODE_REWARD.matcher(out);
        while (ep.find()) {
            String w = ep.group(1);
            Boolean b = Labels.word(w);
            if (b != null) {
                log.verdict = b;
                log.reward = null;
            } else {
                log.reward = Double.parseDouble(w);
                log.verdict = log.reward >= 1.0 - 1e-9;
            }
        }
        return out;
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
        return ToolCall.withInput(words[0].isEmpty() ? "action" : words[0], words.length > 1 ? words[1] : "");
    }

    /** The record's own outcome fields, or null when it has none (a field of the wrong type is added to {@code errors}). */
    private static Outcome outcome(JsonNode r, List<FieldError> errors) {
        if (r.has("success") || r.has("correct") || (r.has("reward") && !r.get("reward").isNull())) {
            return OpenAiMessagesImporter.outcome(r, errors);
        }
        if (r.has("em") && r.get("em").isBoolean()) {
            return Outcome.of(r.get("em").asBoolean());
        }
        return null;
    }

    /** Splits a text at its ReAct markers; text before the first marker gets {@code defaultLabel}. */
    private static List<Part> split(String text, String defaultLabel) {
        List<Part> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
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
}
