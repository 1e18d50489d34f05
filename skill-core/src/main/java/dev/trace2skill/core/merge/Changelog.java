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
        return render(header, result, nodeDecisions, outcomes, missing, TaskSupport.PER_TRAJECTORY, Extras.NONE);
    }

    /**
     * What else the changelog reports about the pool and the merge.
     *
     * @param unverified what the run's unverified policy did (null: nothing to report)
     * @param rejected   attributions the similarity check rejected, anywhere in the merge tree
     * @param late       results that arrived after the merge started (stored, not merged)
     */
    public record Extras(PatchPool.Unverified unverified, List<Attribution> rejected, List<String> late) {
        public static final Extras NONE = new Extras(null, List.of(), List.of());

        public Extras {
            rejected = rejected == null ? List.of() : List.copyOf(rejected);
            late = late == null ? List.of() : List.copyOf(late);
        }
    }

    public static String render(String header, Evolution.Result result, List<EditDecision> nodeDecisions,
                                Map<String, Boolean> outcomes, List<String> missing, TaskSupport tasks, Extras extras) {
        StringBuilder md = new StringBuilder(header.strip()).append("\n\n");
        md.append("## Applied edits (").append(result.applied().edits().size()).append(")\n\n");
        for (Edit e : result.applied().edits()) {
            long ok = e.support().stream().filter(id -> Boolean.TRUE.equals(outcomes.get(id))).count();
            md.append("- `").append(e.describe()).append("` — supported by ").append(tasks.count(e.support()).describe())
                    .append("; ").append(ok).append(" successful, ").append(e.support().size() - ok).append(" failed");
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
        if (extras.unverified() != null && extras.unverified().total() > 0) {
            md.append("\n## Unverified error patches (").append(extras.unverified().total()).append(")\n\n");
            md.append(extras.unverified().summary()).append(".\n\n");
            extras.unverified().details().forEach(d -> md.append("- ").append(d).append('\n'));
        }
        if (!extras.rejected().isEmpty()) {
            md.append("\n## Rejected attributions (").append(extras.rejected().size()).append(")\n\n");
            for (Attribution a : extras.rejected()) {
                md.append("- ").append(a.source()).append(" named as a source of ").append(a.edit()).append(": similarity ")
                        .append(String.format(java.util.Locale.ROOT, "%.2f < %.2f", a.similarity(), a.threshold()))
                        .append(", not counted\n");
            }
        }
        if (!missing.isEmpty()) {
            md.append("\n## Trajectories without a patch (").append(missing.size()).append(")\n\n");
            missing.forEach(m -> md.append("- ").append(m).append('\n'));
        }
        if (!extras.late().isEmpty()) {
            md.append("\n## Late results (").append(extras.late().size()).append(")\n\n");
            md.append("Arrived after the merge started: stored and counted, not merged.\n\n");
            extras.late().forEach(m -> md.append("- ").append(m).append('\n'));
        }
        return md.toString();
    }

    private static String firstLine(String s) {
        return s == null ? null : s.strip().lines().findFirst().orElse("");
    }
}
