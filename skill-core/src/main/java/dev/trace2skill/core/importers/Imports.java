package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What every importer does the same way: labels from a results file, the agent's own prompt, the chosen query. */
final class Imports {
    private Imports() {
    }

    /** An outcome with where it came from, and the expected answer a label carried. */
    record Decided(Outcome outcome, String expected, String source) {
    }

    /**
     * The outcome of a record: a label from the import's labels file (matched by any of {@code keys}) wins; else the
     * record's own outcome; else {@code missing} is added to {@code errors} (with a hint about labels files).
     *
     * @param own    the record's own outcome, or null
     * @param source where the record's own outcome came from (e.g. "record", "log"), for metadata
     */
    static Decided outcome(ImportOptions options, Outcome own, String source, FieldError missing, List<FieldError> errors,
                           String... keys) {
        if (options.labels() != null) {
            Optional<Labels.Label> l = options.labels().find(keys);
            if (l.isPresent()) {
                return new Decided(new Outcome(l.get().success(), l.get().reward()), l.get().expected(), "labels");
            }
        }
        if (own != null) {
            return new Decided(own, null, source);
        }
        if (missing != null) {
            errors.add(new FieldError(missing.field(), missing.message()
                    + (options.labels() != null ? " (and the labels file has no entry for it)" : "; or give a labels file (?labels= or a labels part)")));
        }
        return null;
    }

    /** Records the agent's own prompt per the import's {@code system} option: its size and hash always, its text on request. */
    static void systemPrompt(Map<String, Object> metadata, List<String> parts, ImportOptions options) {
        List<String> nonBlank = parts.stream().filter(p -> p != null && !p.isBlank()).toList();
        if (nonBlank.isEmpty()) {
            return;
        }
        String text = String.join("\n\n", nonBlank);
        metadata.put("systemPromptChars", text.length());
        metadata.put("systemPromptSha256", Nodes.sha256(text));
        if (options.system() == ImportOptions.SystemPrompt.METADATA) {
            metadata.put("systemPrompt", text);
        }
    }

    /**
     * The query per the import's {@code query} option; a failure is added to {@code errors} under {@code field} (or
     * {@code query} when an option was given). An unwrapped template's system part joins {@code system}, and its name
     * goes to metadata as {@code instructionTemplate}.
     */
    static String query(ImportOptions options, com.fasterxml.jackson.databind.JsonNode record, List<String> prompt,
                        String formatChoice, String field, List<FieldError> errors, List<String> system, Map<String, Object> metadata) {
        QueryChoice.Selected s = options.query().select(record, prompt, formatChoice);
        if (s.error() != null || s.query() == null || s.query().isBlank()) {
            errors.add(new FieldError(options.query().kind() == QueryChoice.Kind.DEFAULT ? field : "query",
                    s.error() != null ? s.error() : "the chosen query (" + options.query().describe() + ") is empty"));
            return null;
        }
        if (s.template() != null) {
            metadata.put("instructionTemplate", s.template());
        }
        if (s.system() != null) {
            system.add(s.system());
        }
        return s.query();
    }

    /**
     * The common end of a chat-format record (Anthropic Messages, OpenAI Responses): the record's id or one from its task
     * and trial or its key, the outcome (labels first), the system prompt option, and the accepted trajectory, or the
     * rejected record with {@code errors}.
     *
     * @param model the model the record names, or null for the import's default
     * @param usage the record's usage object, or null
     */
    static List<ImportRecord> chatRecord(RawRecord raw, com.fasterxml.jackson.databind.JsonNode r, ImportOptions options,
                                         Conversation chat, String query, List<String> systemParts, Map<String, Object> metadata,
                                         List<FieldError> errors, String model, com.fasterxml.jackson.databind.JsonNode usage) {
        List<dev.trace2skill.core.trajectory.Step> steps = chat.steps();
        String taskId = r.hasNonNull("task_id") ? r.get("task_id").asText() : null;
        String explicitId = r.hasNonNull("id") ? r.get("id").asText()
                : taskId != null ? Nodes.id(options.idPrefix(), taskId + (r.has("trial") ? "-" + r.get("trial").asText() : ""))
                : raw.key() != null ? Nodes.id(options.idPrefix(), raw.key()) : null;
        Decided decided = outcome(options, OpenAiMessagesImporter.outcome(r, errors), "record",
                OpenAiMessagesImporter.outcomeMissing(r), errors, r.hasNonNull("id") ? r.get("id").asText() : null, explicitId,
                taskId, raw.key(), query);
        if (!errors.isEmpty()) {
            return List.of(ImportRecord.rejected(raw.index(), raw.key(), errors, raw.bytes()));
        }
        if (r.has("trial")) {
            metadata.put("trial", r.get("trial").asInt());
        }
        if (!"record".equals(decided.source())) {
            metadata.put("labelSource", decided.source());
        }
        systemPrompt(metadata, systemParts, options);
        String id = explicitId != null ? explicitId : Nodes.contentId(options.idPrefix(), query, steps, chat.finalAnswer());
        String expected = r.hasNonNull("expected_answer") ? Nodes.text(r.get("expected_answer")) : decided.expected();
        var t = new dev.trace2skill.core.trajectory.Trajectory(id, taskId, query, steps, chat.finalAnswer(), decided.outcome(),
                expected, model != null ? model : options.model(), null, OpenAiMessagesImporter.usage(usage), metadata);
        return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
    }
}
