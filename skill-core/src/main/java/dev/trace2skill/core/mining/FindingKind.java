package dev.trace2skill.core.mining;

import java.util.Arrays;
import java.util.Optional;

/** What the miner looks for, and the SKILL.md section each kind of finding goes to. */
public enum FindingKind {
    SEQUENCE("Workflow patterns", "Tool-call sequences that recur across successful runs (counts are trajectories):"),
    ERROR("Known errors", "Error signatures frequent in failed runs and rare in successful ones:"),
    RECOVERY("Recovering from errors", "What worked after a tool call failed:"),
    DECISION("Key decisions", "Tool calls whose use separates successful from failed runs:"),
    EXAMPLE("Examples", "Input → output pairs from successful runs.");

    private final String section;
    private final String intro;

    FindingKind(String section, String intro) {
        this.section = section;
        this.intro = intro;
    }

    public String section() {
        return section;
    }

    public String intro() {
        return intro;
    }

    /** The rationale tag that marks a mined candidate edit, e.g. {@code mined:sequence}. */
    public String tag() {
        return "mined:" + name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<FindingKind> fromTag(String rationale) {
        if (rationale == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(k -> rationale.equals(k.tag())).findFirst();
    }
}
