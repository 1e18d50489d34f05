package dev.trace2skill.core.check;

/**
 * A checker's judgement of a candidate answer.
 *
 * @param correct             whether the checker accepts it
 * @param normalizedCandidate the candidate as compared
 * @param normalizedExpected  the expected answer as compared
 * @param reason              why, in words
 */
public record Verdict(boolean correct, String normalizedCandidate, String normalizedExpected, String reason) {
}
