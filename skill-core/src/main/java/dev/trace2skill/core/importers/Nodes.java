package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small helpers for reading loosely shaped source records. */
final class Nodes {
    private Nodes() {
    }

    /** Text of a field that may be a string or an OpenAI content-parts array; null when absent. */
    static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : node) {
                String t = part.isTextual() ? part.asText() : part.path("text").asText(part.path("content").asText(""));
                if (!t.isEmpty()) {
                    sb.append(sb.isEmpty() ? "" : "\n").append(t);
                }
            }
            return sb.toString();
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }

    /** Tool arguments: a JSON object, a JSON string holding one, or free text kept as {@code {"input": ...}}. */
    static ObjectNode arguments(JsonNode raw) {
        if (raw == null || raw.isNull() || raw.isMissingNode()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (raw.isObject()) {
            return (ObjectNode) raw;
        }
        String s = raw.asText();
        if (!s.isBlank()) {
            try {
                JsonNode parsed = Json.mapper().readTree(s);
                if (parsed != null && parsed.isObject()) {
                    return (ObjectNode) parsed;
                }
            } catch (Exception ignored) {
                // free text: kept below
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("input", s);
        return o;
    }

    static String id(String prefix, String suffix) {
        String cleaned = suffix.replaceAll("[^A-Za-z0-9._:@-]", "-");
        return (prefix == null || prefix.isBlank() ? "" : prefix + "-") + cleaned;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A stable id for a record that has none: the prefix and 16 hex digits of the SHA-256 of what the agent did (query,
     * steps' reasoning, actions and observations, final answer), so the same record uploaded again, alone or with
     * others, in any order, gets the same id; its outcome and metadata are left out, so a relabelled record is a
     * conflict (409), not a second trajectory.
     */
    static String contentId(String prefix, String query, java.util.List<dev.trace2skill.core.trajectory.Step> steps, String finalAnswer) {
        com.fasterxml.jackson.databind.node.ArrayNode a = Json.mapper().createArrayNode();
        a.add(query == null ? "" : query);
        com.fasterxml.jackson.databind.node.ArrayNode ss = a.addArray();
        for (dev.trace2skill.core.trajectory.Step s : steps) {
            com.fasterxml.jackson.databind.node.ArrayNode one = ss.addArray();
            one.add(s.reasoning());
            if (s.action() == null) {
                one.addNull();
            } else {
                one.addArray().add(s.action().tool()).add(s.action().arguments());
            }
            one.add(s.observation());
        }
        a.add(finalAnswer);
        return id(prefix, sha256(Json.canonical(a)).substring(0, 16));
    }
}
