package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool call: the tool's name and its arguments as a JSON object.
 * Free-text arguments (e.g. ReAct's {@code search[Seth MacFarlane]}) are kept as {@code {"input": "..."}}.
 */
public record ToolCall(String tool, JsonNode arguments) {
    public ToolCall {
        if (arguments == null || arguments.isNull()) {
            arguments = JsonNodeFactory.instance.objectNode();
        }
    }

    public static ToolCall withInput(String tool, String input) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("input", input);
        return new ToolCall(tool, args);
    }
}
