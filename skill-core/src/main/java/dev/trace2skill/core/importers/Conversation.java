package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat transcript turned into steps the same way for every message format (OpenAI chat messages, Anthropic
 * Messages, OpenAI Responses items):
 * <ul>
 *   <li>system / developer text is the agent's own prompt: never the query, never a step;</li>
 *   <li>the user messages before the agent's first turn are the prompt: one of them is the task (the query option
 *       says which, the first by default); those before it count as the agent's prompt, those after it become
 *       observation-only steps;</li>
 *   <li>an assistant turn with tool calls: one step per call, the turn's text as the first call's reasoning; the
 *       tool result with the matching call id is its observation (a result for an unknown call is a step of its own);</li>
 *   <li>an assistant turn with text only: a step with the action {@code respond {"content": text}} (the final answer
 *       so far), observed by the next user message;</li>
 *   <li>tool results are checked by the import's error rules; user messages (a person's reply) never are.</li>
 * </ul>
 */
final class Conversation {
    /**
     * A tool call of an assistant turn.
     *
     * @param id          the call id results refer to, or null
     * @param name        the tool
     * @param arguments   its arguments (an object, a JSON string or free text)
     * @param observation a result carried by the call itself (built-in tools), or null
     * @param error       TRUE when the source marked the call failed, else null
     */
    record Call(String id, String name, JsonNode arguments, String observation, Boolean error) {
        Call(String id, String name, JsonNode arguments) {
            this(id, name, arguments, null, null);
        }
    }

    private final ImportOptions options;
    private final StepList steps;
    private final List<String> system = new ArrayList<>();
    private final List<String> prompt = new ArrayList<>();
    private final Map<String, Integer> byCallId = new HashMap<>();
    private boolean agentStarted;
    private int lastRespond = -1;
    private int anonymousCalls;
    private String finalAnswer;

    Conversation(ImportOptions options) {
        this.options = options;
        this.steps = new StepList(options.errorRules());
    }

    void system(String text) {
        if (text != null && !text.isBlank()) {
            system.add(text);
        }
    }

    void user(String text) {
        if (text == null) {
            return;
        }
        if (!agentStarted) {
            prompt.add(text);
        } else if (steps.awaitsObservation(lastRespond)) {
            steps.observe(lastRespond, text, Boolean.FALSE);
        } else {
            steps.observe(steps.add(null, null, text), text, Boolean.FALSE);
        }
    }

    void assistant(String text, List<Call> calls) {
        assistant(null, text, calls);
    }

    /**
     * @param reasoning the turn's thinking / reasoning summary (kept as reasoning, never as the answer), or null
     * @param text      the turn's visible text
     */
    void assistant(String reasoning, String text, List<Call> calls) {
        startAgent();
        if (calls != null && !calls.isEmpty()) {
            String thought = join(reasoning, text);
            for (int c = 0; c < calls.size(); c++) {
                Call call = calls.get(c);
                ObjectNode args = Nodes.arguments(call.arguments());
                int step = steps.add(c == 0 ? thought : null, new ToolCall(call.name(), args), null);
                byCallId.put(call.id() != null ? call.id() : "#" + anonymousCalls++, step);
                if (call.observation() != null || call.error() != null) {
                    steps.observe(step, call.observation(), call.error());
                }
            }
        } else if (text != null && !text.isBlank()) {
            ObjectNode args = Json.mapper().createObjectNode().put("content", text);
            lastRespond = steps.add(blankToNull(reasoning), new ToolCall("respond", args), null);
            finalAnswer = text;
        } else if (reasoning != null && !reasoning.isBlank()) {
            steps.add(reasoning, null, null);
        }
    }

    private static String join(String a, String b) {
        String x = blankToNull(a);
        String y = blankToNull(b);
        return x == null ? y : y == null ? x : x + "\n" + y;
    }

    /** @param error TRUE when the source marked the result an error, else null */
    void toolResult(String callId, String toolName, String content, Boolean error) {
        startAgent();
        Integer step = callId == null ? null : byCallId.get(callId);
        if (step == null) {
            step = steps.add(null, new ToolCall(toolName == null || toolName.isBlank() ? "tool" : toolName, null), null);
        }
        steps.observe(step, content, error);
    }

    /** Ends the prompt (user messages before the agent's first turn): the task is chosen, the rest placed. */
    private void startAgent() {
        if (agentStarted) {
            return;
        }
        agentStarted = true;
        int selected = options.query().selectedPromptIndex(prompt.size());
        for (int i = 0; i < prompt.size(); i++) {
            if (i < selected) {
                system.add(prompt.get(i));
            } else if (i > selected) {
                steps.observe(steps.add(null, null, prompt.get(i)), prompt.get(i), Boolean.FALSE);
            }
        }
    }

    /** The user messages before the agent's first turn (call after the last message). */
    List<String> prompt() {
        return prompt;
    }

    List<String> system() {
        return system;
    }

    String finalAnswer() {
        return finalAnswer;
    }

    List<Step> steps() {
        startAgent();
        return steps.build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
