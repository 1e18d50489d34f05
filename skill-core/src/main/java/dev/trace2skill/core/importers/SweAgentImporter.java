package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SWE-agent {@code .traj} files: {@code {trajectory: [{thought, action, observation, response?}], info: {exit_status,
 * submission?, model_stats: {tokens_sent, tokens_received}}, history?, problem_statement?}}.
 * <ul>
 *   <li>each entry is a step; the shell-like action's first word is the tool ({@code open}, {@code edit},
 *       {@code submit}, …) and the rest its {@code input};</li>
 *   <li>query: {@code problem_statement}, {@code query}, or the first user message of {@code history};</li>
 *   <li>outcome: SWE-agent has no correctness label of its own. An explicit {@code info.resolved} /
 *       {@code resolved} / {@code success} decides; without one, an exit status other than {@code submitted} is a
 *       failure (nothing was submitted), while {@code submitted} is rejected as unlabelled unless the import says
 *       {@code submittedMeansSuccess};</li>
 *   <li>final answer: {@code info.submission} (the patch); tokens from {@code info.model_stats}.</li>
 * </ul>
 */
public final class SweAgentImporter implements TrajectoryImporter {
    public static final String FORMAT = "swe-agent";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("trajectory", "info", "history", "environment", "problem_statement", "instance_id", "resolved");
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        JsonNode r = raw.node();
        JsonNode info = r.path("info");
        List<FieldError> errors = new ArrayList<>();
        JsonNode entries = r.get("trajectory");
        if (entries == null || !entries.isArray()) {
            errors.add(new FieldError("trajectory", "a SWE-agent record needs a trajectory array"));
        }
        String query = r.hasNonNull("problem_statement") ? r.get("problem_statement").asText()
                : r.hasNonNull("query") ? r.get("query").asText() : null;
        if (query == null) {
            for (JsonNode h : r.path("history")) {
                if ("user".equals(h.path("role").asText())) {
                    query = Nodes.text(h.get("content"));
                    break;
                }
            }
        }
        if (query == null) {
            errors.add(new FieldError("problem_statement", "no task: give problem_statement, query, or a user message in history"));
        }
        Outcome outcome = outcome(r, info, options, errors);
        if (!errors.isEmpty()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        StepList steps = new StepList();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            String action = e.path("action").asText("").strip();
            String thought = e.hasNonNull("thought") ? e.get("thought").asText() : null;
            if (action.isEmpty()) {
                steps.add(thought, null, Nodes.text(e.get("observation")));
                continue;
            }
            String[] parts = action.split("\\s+", 2);
            steps.add(thought, ToolCall.withInput(parts[0], parts.length > 1 ? parts[1] : ""), Nodes.text(e.get("observation")));
        }
        String key = r.hasNonNull("instance_id") ? r.get("instance_id").asText() : raw.key() != null ? raw.key() : Integer.toString(raw.index());
        String id = r.hasNonNull("id") ? r.get("id").asText() : Nodes.id(options.idPrefix(), key);
        JsonNode stats = info.path("model_stats");
        TokenUsage usage = stats.isObject() ? new TokenUsage(stats.path("tokens_sent").asLong(0), stats.path("tokens_received").asLong(0)) : null;
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        if (info.hasNonNull("exit_status")) {
            metadata.put("exitStatus", info.get("exit_status").asText());
        }
        Trajectory t = new Trajectory(id, r.hasNonNull("instance_id") ? r.get("instance_id").asText() : null, query, steps.build(),
                info.hasNonNull("submission") ? info.get("submission").asText() : null, outcome, null,
                r.hasNonNull("model") ? r.get("model").asText() : options.model(), null, usage, metadata);
        return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
    }

    private static Outcome outcome(JsonNode r, JsonNode info, ImportOptions options, List<FieldError> errors) {
        for (JsonNode holder : List.of(info, r)) {
            for (String f : List.of("resolved", "success")) {
                if (holder.has(f) && holder.get(f).isBoolean()) {
                    return Outcome.of(holder.get(f).asBoolean());
                }
            }
        }
        String exit = info.path("exit_status").asText(null);
        if (exit != null && !exit.startsWith("submitted")) {
            return Outcome.of(false);
        }
        if (exit != null && options.submittedMeansSuccess()) {
            return Outcome.of(true);
        }
        errors.add(new FieldError("info.resolved", "no correctness label: set info.resolved (true/false); exit_status "
                + (exit == null ? "is missing" : "'" + exit + "' says only that a patch was submitted")));
        return null;
    }
}
