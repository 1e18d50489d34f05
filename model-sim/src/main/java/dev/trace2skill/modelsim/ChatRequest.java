package dev.trace2skill.modelsim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A chat-completions request as the server received it.
 *
 * @param body    the JSON body
 * @param headers request headers (lower-case names)
 */
public record ChatRequest(JsonNode body, Map<String, String> headers) {

    public String model() {
        return body.path("model").asText(null);
    }

    public List<JsonNode> messages() {
        List<JsonNode> out = new ArrayList<>();
        body.path("messages").forEach(out::add);
        return out;
    }

    /** All message contents joined, for matching a request to a script. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages()) {
            sb.append(m.path("content").asText("")).append('\n');
        }
        return sb.toString();
    }

    public String systemPrompt() {
        return messages().stream().filter(m -> "system".equals(m.path("role").asText())).map(m -> m.path("content").asText(""))
                .findFirst().orElse("");
    }

    public String lastMessage() {
        List<JsonNode> ms = messages();
        return ms.isEmpty() ? "" : ms.get(ms.size() - 1).path("content").asText("");
    }

    /** Names of the tools the client offered. */
    public List<String> toolNames() {
        List<String> out = new ArrayList<>();
        body.path("tools").forEach(t -> out.add(t.path("function").path("name").asText()));
        return out;
    }

    /** How many tool results the conversation holds so far (turns of a ReAct loop). */
    public int toolResults() {
        return (int) messages().stream().filter(m -> "tool".equals(m.path("role").asText())).count();
    }

    public String authorization() {
        return headers.get("authorization");
    }
}
