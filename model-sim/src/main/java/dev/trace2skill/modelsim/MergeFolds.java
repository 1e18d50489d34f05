package dev.trace2skill.modelsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deterministic merge operator for simulated model servers: it reads the input patches from the merge prompt, folds
 * identical edits (same op, file, section, anchor and content) into one and names every input edit it came from — a
 * valid merge answer that depends only on the patches, so the same pool always merges to the same S*.
 */
public final class MergeFolds {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MergeFolds() {
    }

    /** Whether the request is one of the merger's (its system prompt names the merge operator). */
    public static boolean isMerge(ChatRequest r) {
        return r.systemPrompt().contains("merge operator");
    }

    /**
     * The folded edits as the answer's text (no usage: the server estimates it), or a 400 when the prompt holds no
     * patch list.
     *
     * @param ignoreCase whether edits that differ only in case are the same edit
     */
    public static Reply foldIdentical(ChatRequest request, boolean ignoreCase) {
        String text = request.lastMessage();
        JsonNode patches;
        try {
            patches = JSON.readTree(text.substring(text.indexOf("[", text.indexOf("patches to merge"))));
        } catch (Exception e) {
            return Reply.error(400);
        }
        Map<String, ObjectNode> byContent = new LinkedHashMap<>();
        for (JsonNode p : patches) {
            for (JsonNode e : p.path("edits")) {
                String key = e.path("op").asText() + "|" + e.path("file").asText() + "|" + e.path("target_section").asText()
                        + "|" + e.path("target_text").asText() + "|" + e.path("content").asText();
                ObjectNode out = byContent.computeIfAbsent(ignoreCase ? key.toLowerCase(Locale.ROOT) : key, k -> {
                    ObjectNode o = e.deepCopy();
                    o.remove(List.of("id", "support"));
                    o.putArray("sources");
                    return o;
                });
                ((ArrayNode) out.get("sources")).add(e.path("id").asText());
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode edits = answer.putArray("edits");
        byContent.values().forEach(edits::add);
        return Reply.text(answer.toString());
    }
}
