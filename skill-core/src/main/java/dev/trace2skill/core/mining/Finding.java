package dev.trace2skill.core.mining;

import java.util.SortedSet;

/**
 * One mined pattern with its exact support.
 *
 * @param kind              what kind of pattern
 * @param key               its canonical text (the candidate edit's content)
 * @param support           trajectory ids where it was seen
 * @param successes         how many of those succeeded
 * @param failures          how many of those failed
 * @param selected          whether it made it into the skill
 * @param reason            why it was or was not selected
 */
public record Finding(FindingKind kind, String key, SortedSet<String> support, int successes, int failures,
                      boolean selected, String reason) {
}
