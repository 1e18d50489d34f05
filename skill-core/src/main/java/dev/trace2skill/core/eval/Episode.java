package dev.trace2skill.core.eval;

/**
 * One stored agent run of one task under one condition.
 *
 * @param condition        what it ran under
 * @param taskId           the task
 * @param seed             the seed
 * @param status           CORRECT, WRONG, or ERROR (the run could not complete: never counted as a wrong answer)
 * @param promptTokens     tokens sent
 * @param completionTokens tokens received
 */
public record Episode(Condition condition, String taskId, int seed, Status status, long promptTokens, long completionTokens) {
    public enum Status { CORRECT, WRONG, ERROR }

    public long tokens() {
        return promptTokens + completionTokens;
    }

    public String pairKey() {
        return taskId + "#" + seed;
    }
}
