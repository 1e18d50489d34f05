package dev.trace2skill.core.mining;

import java.util.Set;

/**
 * Thresholds of the offline miner.
 *
 * @param minSupport        a finding must be seen in at least this many trajectories
 * @param minSequence       shortest tool-call sequence considered
 * @param maxSequence       longest tool-call sequence considered
 * @param maxPerSection     most findings kept per section
 * @param errorContrast     an error signature is kept when its rate among failures is at least this many times its
 *                          rate among successes (a signature never seen in a success always qualifies)
 * @param decisionGap       a tool becomes a key decision when its usage rate differs by at least this much between
 *                          successful and failed runs
 * @param examples          input → output examples to keep
 * @param ignoredTools      conversational pseudo-tools left out of sequences and decisions (e.g. {@code respond})
 */
public record MiningParams(int minSupport, int minSequence, int maxSequence, int maxPerSection, double errorContrast,
                           double decisionGap, int examples, Set<String> ignoredTools) {
    public static final MiningParams DEFAULT = new MiningParams(2, 2, 4, 6, 2.0, 0.2, 3, Set.of("respond", "think"));

    public MiningParams withMinSupport(int support) {
        return new MiningParams(support, minSequence, maxSequence, maxPerSection, errorContrast, decisionGap, examples, ignoredTools);
    }
}
