package dev.trace2skill.core.trajectory;

/** Tokens as a model server's {@code usage} reports them. */
public record TokenUsage(long promptTokens, long completionTokens) {
    public static final TokenUsage ZERO = new TokenUsage(0, 0);

    public long total() {
        return promptTokens + completionTokens;
    }

    public TokenUsage plus(TokenUsage other) {
        return other == null ? this : new TokenUsage(promptTokens + other.promptTokens, completionTokens + other.completionTokens);
    }
}
