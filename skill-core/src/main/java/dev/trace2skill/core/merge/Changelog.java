package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;

import java.util.List;
import java.util.Map;

/** A Markdown changelog of an evolution: what was applied with its support, moved, dropped, and what was missing. */
public final class Changelog {
    private Changelog() {
    }

    /**
     * @param header        the first lines (run, skill, counts)
     * @param result        the evolution's result
     * @param nodeDecisions every decision taken in the merge tree
     * @param outcomes      trajectory id → success
     * @param missing       jobs without a result when the merge started (straggler timeout), or failed analyses
     */
    public static String render(String header, Evolution.Result result, List<EditDecision> nodeDecisions,
                                Map<String, Boolean> outcomes, List<String> missing) {
        StringBuilder md = new StringBuilder(header.strip()).append("\n\n");
        md.append("## Applied edits (").append(result.applied().edits().size()).append(")\n\n");
        for (Edit e : result.applied().edits()) {
            long ok = e.support().stream().filter(id -> Boolean.TRUE.equals(outcomes.get(id))).count();
            md.append("- `").append(e.describe()).append("` — support ").append(e.support().size())
                    .append(" (").append(ok).append(" successful, ").append(e.support().size() - ok).append(" failed)");
            String why = e.rationale() == null || e.rationale().isBlank() ? firstLine(e.content()) : e.rationale().strip();
            if (why != null && !why.isBlank()) {
                md.append(": ").append(why);
            }
            md.append('\n');
        }
        List<EditDecision> routed = result.decisions().stream().filter(d -> d.action() == EditDecision.Action.ROUTED).toList();
        if (!routed.isEmpty()) {
            md.append("\n## Moved to references (below the prevalence threshold)\n\n");
            routed.forEach(d -> md.append("- ").append(d.edit()).append(": ").append(d.reason()).append('\n'));
        }
        List<EditDecision> dropped = new java.util.ArrayList<>(nodeDecisions.stream().filter(d -> d.action() == EditDecision.Action.DROPPED).toList());
        dropped.addAll(result.decisions().stream().filter(d -> d.action() == EditDecision.Action.DROPPED).toList());
        if (!dropped.isEmpty()) {
            md.append("\n## Dropped edits (").append(dropped.size()).append(")\n\n");
            dropped.forEach(d -> md.append("- ").append(d.edit()).append(": ").append(d.reason()).append('\n'));
        }
        long reanchored = nodeDecisions.stream().filter(d -> d.action() == EditDecision.Action.REANCHORED).count();
        if (reanchored > 0) {
            md.append("\n## Re-anchored edits (").append(reanchored).append(")\n\n");
            nodeDecisions.stream().filter(d -> d.action() == EditDecision.Action.REANCHORED)
                    .forEach(d -> md.append("- ").append(d.edit()).append(": ").append(d.reason()).append('\n'));
        }
        if (!result.fitMoves().isEmpty()) {
            md.append("\n## Size fitting\n\n");
            result.fitMoves().forEach(m -> md.append("- ").append(m).append('\n'));
        }
        if (!missing.isEmpty()) {
            md.append("\n## Trajectories without a patch (").append(missing.size()).append(")\n\n");
            missing.forEach(m -> md.append("- ").append(m).append('\n'));
        }
        return md.toString();
    }

    private static String firstLine(String s) {
        return s == null ? null : s.strip().lines().findFirst().orElse("");
    }
}
