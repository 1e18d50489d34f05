package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.TokenUsage;
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
 * SWE-agent {@code .traj} files: {@code {trajectory: [{thought, action, observation, response?}], history: [{role,
 * content, is_demo?}], info: {exit_status, submission?, model_stats: {tokens_sent, tokens_received}}, replay_config?,
 * problem_statement?, instance_id?}}, one file per request or several in an array.
 * <ul>
 *   <li>each trajectory entry is a step; the shell-like action's first word is the tool ({@code open}, {@code edit},
 *       {@code str_replace_editor}, {@code submit}, …) and the rest its {@code input};</li>
 *   <li>demonstrations ({@code history} messages with {@code is_demo: true}, the worked example SWE-agent shows the
 *       model) are skipped: never the query, never a step ({@code metadata.demonstrations} counts them); history
 *       {@code system} messages are the agent's prompt;</li>
 *   <li>query: {@code problem_statement} (text, or its {@code text}), the problem statement in {@code replay_config},
 *       {@code query}, or the first user message of {@code history} that is not a demonstration, with SWE-agent's
 *       wrapper ({@code ISSUE: … INSTRUCTIONS:}, {@code <pr_description>…</pr_description>}) taken off; the
 *       {@code query} option overrides;</li>
 *   <li>id: {@code id}, else {@code <prefix>-<instance id>} (from {@code instance_id}, {@code info.instance_id}, or
 *       the problem statement's {@code id} in {@code replay_config}), else {@code <prefix>-<key>}, else a hash of the
 *       content — never the record's position in the upload;</li>
 *   <li>outcome: a labels file (SWE-bench's report of resolved ids, keyed by instance id); else {@code info.resolved} /
 *       {@code resolved} / {@code success}; else an exit status other than {@code submitted} is a failure (nothing was
 *       submitted), while {@code submitted} is rejected as unlabelled unless the import says
 *       {@code submittedMeansSuccess};</li>
 *   <li>final answer: {@code info.submission} (the patch); tokens from {@code info.model_stats}.</li>
 * </ul>
 */
public final class SweAgentImporter implements TrajectoryImporter {
    public static final String FORMAT = "swe-agent";
    private static final Pattern ISSUE_WRAPPER = Pattern.compile("(?s)\\bISSUE:\\s*\\n(.*?)\\n\\s*INSTRUCTIONS:");
    private static final Pattern PR_WRAPPER = Pattern.compile("(?s)<pr_description>\\s*(.*?)\\s*</pr_description>");

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("trajectory", "info", "history", "environment", "problem_statement", "instance_id", "resolved", "replay_config");
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        JsonNode info = r.path("info");
        List<FieldError> errors = new ArrayList<>();
        JsonNode entries = r.get("trajectory");
        if (entries == null || !entries.isArray()) {
            errors.add(new FieldError("trajectory", "a SWE-agent record needs a trajectory array"));
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        JsonNode replay = replayConfig(r);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        List<String> system = new ArrayList<>();
        List<String> prompt = new ArrayList<>();
        int demos = 0;
        boolean agent = false;
        for (JsonNode h : r.path("history")) {
            if (h.path("is_demo").asBoolean(false)) {
                demos++;
                continue;
            }
            String role = h.path("role").asText("");
            String content = Nodes.text(h.get("content"));
            if (role.equals("system")) {
                system.add(content);
            } else if (role.equals("user") && !agent && content != null) {
                prompt.add(content);
            } else if (role.equals("assistant")) {
                agent = true;
            }
        }
        if (demos > 0) {
            metadata.put("demonstrations", demos);
        }
        String statement = problemStatement(r, replay);
        String formatChoice = statement != null ? statement : prompt.isEmpty() ? null : issue(prompt.get(0));
        String query = formatChoice == null && options.query().kind() == QueryChoice.Kind.DEFAULT ? null
                : Imports.query(options, r, prompt, formatChoice, "problem_statement", errors, system, metadata);
        if (query == null && errors.isEmpty()) {
            errors.add(new FieldError("problem_statement", "no task: give problem_statement, query, or a user message in history"
                    + " that is not a demonstration"));
        }
        StepList steps = new StepList(options.errorRules());
        for (JsonNode e : entries) {
            String action = e.path("action").asText("").strip();
            String thought = e.hasNonNull("thought") ? e.get("thought").asText() : null;
            if (action.isEmpty()) {
                steps.add(thought, null, Nodes.text(e.get("observation")));
                continue;
            }
            String[] parts = action.split("\\s+", 2);
            steps.add(thought, ToolCall.withInput(parts[0], parts.length > 1 ? parts[1] : ""), Nodes.text(e.get("observation")));
        }
        List<Step> built = steps.build();
        String instance = instanceId(r, info, replay);
        String explicitId = r.hasNonNull("id") ? r.get("id").asText()
                : instance != null ? Nodes.id(options.idPrefix(), instance)
                : raw.key() != null ? Nodes.id(options.idPrefix(), raw.key()) : null;
        Imports.Decided decided = Imports.outcome(options, ownOutcome(r, info, options), "record",
                missingLabel(info), errors, r.hasNonNull("id") ? r.get("id").asText() : null, instance, raw.key(), explicitId, query);
        if (!errors.isEmpty()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        String submission = info.hasNonNull("submission") ? info.get("submission").asText() : null;
        JsonNode stats = info.path("model_stats");
        TokenUsage usage = stats.isObject() ? new TokenUsage(stats.path("tokens_sent").asLong(0), stats.path("tokens_received").asLong(0)) : null;
        if (info.hasNonNull("exit_status")) {
            metadata.put("exitStatus", info.get("exit_status").asText());
        }
        if (!"record".equals(decided.source())) {
            metadata.put("labelSource", decided.source());
        }
        Imports.systemPrompt(metadata, system, options);
        String id = explicitId != null ? explicitId : Nodes.contentId(options.idPrefix(), query, built, submission);
        Trajectory t = new Trajectory(id, instance, query, built, submission, decided.outcome(), decided.expected(),
                r.hasNonNull("model") ? r.get("model").asText() : options.model(), null, usage, metadata);
        return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
    }

    /** SWE-agent 1.x keeps its run configuration as a JSON string. */
    private static JsonNode replayConfig(JsonNode r) {
        JsonNode rc = r.get("replay_config");
        if (rc == null || rc.isNull()) {
            return Json.mapper().missingNode();
        }
        if (rc.isTextual()) {
            try {
                JsonNode parsed = Json.mapper().readTree(rc.asText());
                return parsed == null ? Json.mapper().missingNode() : parsed;
            } catch (Exception e) {
                return Json.mapper().missingNode();
            }
        }
        return rc;
    }

    private static String problemStatement(JsonNode r, JsonNode replay) {
        for (JsonNode ps : List.of(r.path("problem_statement"), replay.path("problem_statement"))) {
            if (ps.isTextual() && !ps.asText().isBlank()) {
                return ps.asText();
            }
            if (ps.isObject() && ps.path("text").isTextual() && !ps.path("text").asText().isBlank()) {
                return ps.get("text").asText();
            }
        }
        return r.hasNonNull("query") && r.get("query").isTextual() ? r.get("query").asText() : null;
    }

    private static String instanceId(JsonNode r, JsonNode info, JsonNode replay) {
        for (JsonNode n : List.of(r.path("instance_id"), info.path("instance_id"), replay.path("problem_statement").path("id"),
                replay.path("instance_id"), r.path("problem_statement").path("id"))) {
            if (n.isValueNode() && !n.isNull() && !n.asText().isBlank()) {
                return n.asText();
            }
        }
        return null;
    }

    /** The issue inside SWE-agent's task message, or the message itself. */
    static String issue(String message) {
        for (Pattern p : List.of(ISSUE_WRAPPER, PR_WRAPPER)) {
            Matcher m = p.matcher(message);
            if (m.find() && !m.group(1).isBlank()) {
                return m.group(1).strip();
            }
        }
        return InstructionTemplates.unwrap(message).user().strip();
    }

    private static Outcome ownOutcome(JsonNode r, JsonNode info, ImportOptions options) {
        for (JsonNode holder : List.of(info, r)) {
            for (String f : List.of("resolved", "success")) {
                if (holder.has(f) && holder.get(f).isBoolean()) {
                    return Outcome.of(holder.get(f).asBoolean());
                }
            }
        }
        String exit = info.path("exit_status").asText(null);
        if (exit != null && !exit.toLowerCase(java.util.Locale.ROOT).startsWith("submitted")) {
            return Outcome.of(false);
        }
        if (exit != null && options.submittedMeansSuccess()) {
            return Outcome.of(true);
        }
        return null;
    }

    private static FieldError missingLabel(JsonNode info) {
        String exit = info.path("exit_status").asText(null);
        return new FieldError("info.resolved", "no correctness label: set info.resolved (true/false); exit_status "
                + (exit == null ? "is missing" : "'" + exit + "' says only that a patch was submitted"));
    }
}
