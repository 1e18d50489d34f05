package dev.trace2skill.modelsim;

import java.time.Duration;
import java.util.List;

/**
 * What the simulated model answers: text, tool calls, or an HTTP error, optionally after a delay.
 *
 * @param content     assistant text, or null
 * @param toolCalls   tool calls, possibly empty
 * @param status      HTTP status (200 for an answer)
 * @param retryAfter  seconds for a {@code Retry-After} header, or null
 * @param delay       how long to wait before answering
 * @param usage       token usage to report, or null to estimate it from the characters (≈ 4 per token)
 */
public record Reply(String content, List<ToolCall> toolCalls, int status, Integer retryAfter, Duration delay, Usage usage) {

    public record ToolCall(String name, String arguments) {
    }

    public record Usage(int promptTokens, int completionTokens) {
    }

    public static Reply text(String content) {
        return new Reply(content, List.of(), 200, null, Duration.ZERO, null);
    }

    public static Reply toolCall(String name, String argumentsJson) {
        return new Reply(null, List.of(new ToolCall(name, argumentsJson)), 200, null, Duration.ZERO, null);
    }

    public static Reply toolCalls(List<ToolCall> calls) {
        return new Reply(null, List.copyOf(calls), 200, null, Duration.ZERO, null);
    }

    public static Reply error(int status) {
        return new Reply(null, List.of(), status, null, Duration.ZERO, null);
    }

    public static Reply rateLimited(int retryAfterSeconds) {
        return new Reply(null, List.of(), 429, retryAfterSeconds, Duration.ZERO, null);
    }

    public Reply after(Duration d) {
        return new Reply(content, toolCalls, status, retryAfter, d, usage);
    }

    public Reply withUsage(int prompt, int completion) {
        return new Reply(content, toolCalls, status, retryAfter, delay, new Usage(prompt, completion));
    }
}
