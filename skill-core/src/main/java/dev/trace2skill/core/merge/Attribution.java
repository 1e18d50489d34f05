package dev.trace2skill.core.merge;

/**
 * A merge operator's claim that output edit {@code edit} came from input edit {@code source}, with how alike the two
 * are. Claims below the attribution threshold are rejected: the source's support does not count for the edit.
 *
 * @param edit       the output edit
 * @param source     the input edit it names as a source
 * @param similarity cosine similarity of the two edits' texts ({@link TextEmbedder#text})
 * @param threshold  the threshold it was held to
 */
public record Attribution(String edit, String source, double similarity, double threshold) {
}
