package dev.trace2skill.core.merge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reads an LLM merge operator's answer: {@code {"edits": [{op, file, target_section, target_text, content, rationale,
 * sources: [input edit ids]}], "dropped": [{"edit": id, "reason": "..."}]}}. The model names, for every output edit,
 * the input edits it came from; support is then the union of those inputs' support, computed here and never taken
 * from the model. Problems come back as {@link #errors()} to send to the model for repair.
 */
public final class MergeOperatorOutput {
    private final Patch patch;
    private final List<EditDecision> decisions;
    private final List<String> errors;

    private MergeOperatorOutput(Patch patch, List<EditDecision> decisions, List<String> errors) {
        this.patch = patch;
        this.decisions = decisions;
        this.errors = errors;
    }

    public Patch patch() {
        return patch;
    }

    public List<EditDecision> decisions() {
        return decisions;
    }

    /** Why the output cannot be used as it is; empty when it can (conflicts with S0 are checked by the caller). */
    public List<String> errors() {
        return errors;
    }

    public static MergeOperatorOutput read(String nodeId, List<Patch> inputs, String modelOutput) {
        Map<String, Edit> inputEdits = new LinkedHashMap<>();
        for (Patch p : inputs) {
            for (Edit e : p.withEditIds().edits()) {
                inputEdits.put(e.id(), e);
            }
        }
        List<String> errors = new ArrayList<>();
        JsonNode root;
        try {
            root = Json.mapper().readTree(dev.trace2skill.core.json.ModelOutput.extractJson(modelOutput));
        } catch (Exception e) {
            errors.add("the answer is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return new MergeOperatorOutput(new Patch(nodeId, List.of()), List.of(), errors);
        }
        JsonNode editsNode = root == null ? null : root.get("edits");
        if (editsNode == null || !editsNode.isArray()) {
            errors.add("the answer must be a JSON object with an \"edits\" array");
            return new MergeOperatorOutput(new Patch(nodeId, List.of()), List.of(), errors);
        }
        List<Edit> out = new ArrayList<>();
        List<EditDecision> decisions = new ArrayList<>();
        Set<String> accounted = new LinkedHashSet<>();
        for (int i = 0; i < editsNode.size(); i++) {
            JsonNode node = editsNode.get(i);
            Edit raw;
            try {
                raw = Json.mapper().treeToValue(node, Edit.class);
            } catch (Exception e) {
                errors.add("edits[" + i + "] is not a valid edit: " + e.getMessage().lines().findFirst().orElse(""));
                continue;
            }
            if (raw.op() == null) {
                errors.add("edits[" + i + "] has no op; use one of " + java.util.Arrays.stream(EditOp.values()).map(EditOp::wire).toList());
                continue;
            }
            List<String> sources = new ArrayList<>();
            JsonNode src = node.get("sources");
            if (src != null && src.isArray()) {
                src.forEach(s -> sources.add(s.asText()));
            }
            if (sources.isEmpty()) {
                errors.add("edits[" + i + "] names no sources: list the ids of the input edits it came from");
                continue;
            }
            List<String> unknown = sources.stream().filter(s -> !inputEdits.containsKey(s)).toList();
            if (!unknown.isEmpty()) {
                errors.add("edits[" + i + "] names unknown input edits " + unknown + "; valid ids are " + inputEdits.keySet());
                continue;
            }
            SortedSet<String> support = new TreeSet<>();
            sources.forEach(s -> support.addAll(inputEdits.get(s).support()));
            String id = nodeId + "#" + (out.size() + 1);
            out.add(new Edit(id, raw.op(), raw.file(), raw.targetSection(), raw.targetText(), raw.content(), raw.rationale(),
                    support, List.copyOf(new LinkedHashSet<>(sources))));
            for (String s : sources) {
                accounted.add(s);
                decisions.add(new EditDecision(s, sources.size() > 1 ? EditDecision.Action.MERGED : EditDecision.Action.KEPT, id,
                        sources.size() > 1 ? "merged with " + (sources.size() - 1) + " other input edits by the merge operator" : "kept by the merge operator"));
            }
        }
        JsonNode dropped = root.get("dropped");
        Map<String, String> reasons = new LinkedHashMap<>();
        if (dropped != null && dropped.isArray()) {
            for (JsonNode d : dropped) {
                String edit = d.path("edit").asText(null);
                if (edit != null && inputEdits.containsKey(edit) && !accounted.contains(edit)) {
                    reasons.put(edit, d.path("reason").asText("no reason given"));
                }
            }
        }
        for (String id : inputEdits.keySet()) {
            if (!accounted.contains(id)) {
                decisions.add(EditDecision.dropped(id, reasons.containsKey(id)
                        ? "dropped by the merge operator: " + reasons.get(id)
                        : "left out by the merge operator without a reason"));
            }
        }
        return new MergeOperatorOutput(new Patch(nodeId, out), decisions, errors);
    }

}
