package dev.trace2skill.core.patch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.json.ModelOutput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a patch from a model's answer: {@code {"edits": [...]}} or a bare array of edits, in the Trace2Skill edit
 * format, possibly inside a code fence. Problems are listed for the repair prompt rather than thrown.
 */
public final class PatchJson {
    private PatchJson() {
    }

    /** The parsed patch (edits that could be read) and what could not be read. */
    public record Parsed(Patch patch, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    public static Parsed parse(String patchId, String modelOutput) {
        List<String> errors = new ArrayList<>();
        JsonNode root;
        try {
            root = Json.mapper().readTree(ModelOutput.extractJson(modelOutput));
        } catch (Exception e) {
            errors.add("the answer is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return new Parsed(new Patch(patchId, List.of()), errors);
        }
        JsonNode edits = root == null ? null : root.isArray() ? root : root.get("edits");
        if (edits == null || !edits.isArray()) {
            errors.add("the answer must be a JSON object with an \"edits\" array");
            return new Parsed(new Patch(patchId, List.of()), errors);
        }
        List<Edit> out = new ArrayList<>();
        for (int i = 0; i < edits.size(); i++) {
            try {
                Edit e = Json.mapper().treeToValue(edits.get(i), Edit.class);
                if (e.op() == null) {
                    errors.add("edits[" + i + "] has no op; use one of " + Arrays.stream(EditOp.values()).map(EditOp::wire).toList());
                } else {
                    out.add(e.withId(null).withSupport(List.of()).withSources(List.of()));
                }
            } catch (Exception e) {
                errors.add("edits[" + i + "] is not a valid edit: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return new Parsed(new Patch(patchId, out), errors);
    }
}
