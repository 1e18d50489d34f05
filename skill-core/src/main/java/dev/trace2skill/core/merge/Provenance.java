package dev.trace2skill.core.merge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.skill.SkillBundle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * For every line of S* that differs from S0, the edits, patches and trajectories behind it.
 *
 * <p>Lines are matched to the final edits by content (a line belongs to an edit whose content, or whose generated
 * heading, holds it), which survives the fitter moving a section into a reference file. Each final edit is walked
 * down its {@code sources} through the merge tree to the analysts' edits, whose ids are {@code <patch id>#<n>}.
 */
public final class Provenance {
    private Provenance() {
    }

    public record TrajectoryRef(String id, Boolean success) {
    }

    /**
     * @param file         file in S* (or S0 for removed lines)
     * @param line         1-based line number in that file
     * @param text         the line
     * @param change       {@code added} or {@code removed}
     * @param edits        final edits behind it (empty when the line is structural, e.g. written by the fitter)
     * @param patches      the analysts' patches those edits came from
     * @param trajectories the trajectories that support it, with their outcomes
     * @param support      the same counted over distinct tasks, with the trajectory count beside it
     * @param rejectedAttributions sources a merge operator named for the edits behind this line that did not resemble
     *                     them (not counted in the support); absent when none
     * @param unverified   supporting trajectories whose error analysis was not verified and was kept (or downweighted)
     *                     by the run's policy; absent when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Line(String file, int line, String text, String change, List<String> edits, List<String> patches,
                       List<TrajectoryRef> trajectories, Support support, List<Attribution> rejectedAttributions,
                       List<String> unverified) {
    }

    /**
     * @param tasks        distinct tasks
     * @param weighted     tasks with unverified-only ones counted as {@link TaskSupport#DOWNWEIGHT}
     * @param trajectories distinct trajectories
     * @param text         e.g. "4 tasks (9 trajectories)"
     */
    public record Support(int tasks, double weighted, int trajectories, String text) {
        static Support of(TaskSupport.Count c) {
            return new Support(c.tasks(), c.weighted(), c.trajectories(), c.describe());
        }
    }

    /**
     * @param finalEdits the edits of p* (after routing)
     * @param allEdits   every edit of every merge node and input patch, by id (to walk {@code sources})
     * @param outcomes   trajectory id → success
     */
    public static List<Line> compute(SkillBundle s0, SkillBundle sStar, Collection<Edit> finalEdits,
                                     Map<String, Edit> allEdits, Map<String, Boolean> outcomes) {
        return compute(s0, sStar, finalEdits, allEdits, outcomes, TaskSupport.PER_TRAJECTORY, Map.of(), Set.of());
    }

    /**
     * @param tasks    trajectory → task, to count support over tasks
     * @param rejected rejected attributions by the output edit they were claimed for
     * @param unverified trajectories whose unverified error patches were pooled
     */
    public static List<Line> compute(SkillBundle s0, SkillBundle sStar, Collection<Edit> finalEdits,
                                     Map<String, Edit> allEdits, Map<String, Boolean> outcomes, TaskSupport tasks,
                                     Map<String, List<Attribution>> rejected, Set<String> unverified) {
        Context ctx = new Context(allEdits, outcomes, tasks, rejected, unverified);
        List<Line> out = new ArrayList<>();
        Set<String> paths = new TreeSet<>(s0.paths());
        paths.addAll(sStar.paths());
        for (String path : paths) {
            List<String> before = s0.has(path) && s0.isText(path) ? s0.text(path).lines().toList() : List.of();
            List<String> after = sStar.has(path) && sStar.isText(path) ? sStar.text(path).lines().toList() : List.of();
            for (AbstractDelta<String> delta : DiffUtils.diff(before, after).getDeltas()) {
                int srcStart = delta.getSource().getPosition();
                List<String> removed = delta.getSource().getLines();
                for (int i = 0; i < removed.size(); i++) {
                    String text = removed.get(i);
                    if (!text.isBlank()) {
                        out.add(line(path, srcStart + i + 1, text, "removed", removing(s0, path, text, finalEdits), ctx));
                    }
                }
                int tgtStart = delta.getTarget().getPosition();
                List<String> added = delta.getTarget().getLines();
                for (int i = 0; i < added.size(); i++) {
                    String text = added.get(i);
                    if (!text.isBlank()) {
                        out.add(line(path, tgtStart + i + 1, text, "added", adding(path, text, finalEdits), ctx));
                    }
                }
            }
        }
        return out;
    }

    private record Context(Map<String, Edit> allEdits, Map<String, Boolean> outcomes, TaskSupport tasks,
                           Map<String, List<Attribution>> rejected, Set<String> unverified) {
    }

    private static Line line(String path, int number, String text, String change, List<Edit> edits, Context ctx) {
        Set<String> patches = new LinkedHashSet<>();
        Set<String> trajectories = new TreeSet<>();
        Set<String> visited = new LinkedHashSet<>();
        for (Edit matched : edits) {
            for (Edit e : refine(matched, text.strip(), ctx.allEdits())) {
                Set<String> walked = new LinkedHashSet<>();
                leafPatches(e, ctx.allEdits(), patches, walked);
                visited.add(matched.id());
                visited.addAll(walked);
                trajectories.addAll(e.support());
            }
        }
        List<TrajectoryRef> refs = trajectories.stream().map(id -> new TrajectoryRef(id, ctx.outcomes().get(id))).toList();
        List<Attribution> rejected = new ArrayList<>();
        for (String id : visited) {
            rejected.addAll(ctx.rejected().getOrDefault(id, List.of()));
        }
        List<String> unverified = trajectories.stream().filter(ctx.unverified()::contains).toList();
        return new Line(path, number, text, change, edits.stream().map(Edit::id).toList(), List.copyOf(patches), refs,
                Support.of(ctx.tasks().count(trajectories)), rejected.isEmpty() ? null : List.copyOf(rejected),
                unverified.isEmpty() ? null : unverified);
    }

    /**
     * The provenance as Markdown: every changed line with its support (tasks and trajectories), patches and rejected
     * attributions, then every rejected attribution of the merge tree.
     */
    public static String markdown(String title, String summary, List<Line> lines, List<Attribution> allRejected) {
        StringBuilder md = new StringBuilder("# ").append(title.strip()).append("\n\n");
        if (summary != null && !summary.isBlank()) {
            md.append(summary.strip()).append("\n\n");
        }
        String file = null;
        for (Line l : lines) {
            if (!l.file().equals(file)) {
                file = l.file();
                md.append("## ").append(file).append("\n\n");
            }
            md.append("- ").append(l.change().equals("added") ? "+" : "-").append(l.line()).append(" `")
                    .append(l.text().strip().replace("`", "'")).append("`");
            if (l.support() != null && l.support().trajectories() > 0) {
                md.append(" — supported by ").append(l.support().text());
            }
            if (!l.patches().isEmpty()) {
                md.append("; patches ").append(String.join(", ", l.patches()));
            }
            if (l.unverified() != null) {
                md.append("; unverified error analyses among them: ").append(String.join(", ", l.unverified()));
            }
            if (l.rejectedAttributions() != null) {
                md.append("; rejected attributions: ").append(String.join(", ", l.rejectedAttributions().stream()
                        .map(a -> a.source() + " → " + a.edit() + " (" + String.format(java.util.Locale.ROOT, "%.2f", a.similarity()) + ")").toList()));
            }
            md.append('\n');
        }
        if (lines.isEmpty()) {
            md.append("S* has no changed line.\n");
        }
        if (!allRejected.isEmpty()) {
            md.append("\n## Rejected attributions (").append(allRejected.size()).append(")\n\n");
            md.append("Sources a merge operator named that do not resemble the edit it wrote; their support was not counted.\n\n");
            for (Attribution a : allRejected) {
                md.append("- ").append(a.source()).append(" → ").append(a.edit()).append(": similarity ")
                        .append(String.format(java.util.Locale.ROOT, "%.2f < %.2f", a.similarity(), a.threshold())).append('\n');
            }
        }
        return md.toString();
    }

    /**
     * The edits a line really came from: when only some of an edit's sources hold the line (e.g. a niche-cases file
     * gathering several routed edits), the line belongs to those sources, not to all of them.
     */
    static List<Edit> refine(Edit e, String line, Map<String, Edit> all) {
        List<Edit> holding = new ArrayList<>();
        for (String id : e.sources()) {
            Edit source = all.get(id);
            if (source != null && source.content() != null && source.content().lines().anyMatch(l -> l.strip().equals(line))) {
                holding.add(source);
            }
        }
        if (holding.isEmpty() || holding.size() == e.sources().size()) {
            return List.of(e);
        }
        List<Edit> out = new ArrayList<>();
        holding.forEach(h -> out.addAll(refine(h, line, all)));
        return out;
    }

    /** Walks sources down to edits without sources; their patch is the id before '#'. */
    static void leafPatches(Edit e, Map<String, Edit> all, Set<String> out, Set<String> visited) {
        if (e.id() == null || !visited.add(e.id())) {
            return;
        }
        if (e.sources().isEmpty()) {
            int hash = e.id().lastIndexOf('#');
            out.add(hash < 0 ? e.id() : e.id().substring(0, hash));
            return;
        }
        for (String source : e.sources()) {
            Edit child = all.get(source);
            if (child != null) {
                leafPatches(child, all, out, visited);
            } else {
                int hash = source.lastIndexOf('#');
                out.add(hash < 0 ? source : source.substring(0, hash));
            }
        }
    }

    private static String sectionText(SkillBundle s0, String path, String title) {
        if (title == null || !s0.has(path)) {
            return "";
        }
        String text = path.equals(SkillBundle.SKILL_MD) ? s0.skillMd().body() : s0.text(path);
        String wanted = dev.trace2skill.core.skill.Section.normalizeTitle(title);
        return dev.trace2skill.core.skill.MarkdownSections.parse(text).stream()
                .filter(s -> dev.trace2skill.core.skill.Section.normalizeTitle(s.title()).equals(wanted))
                .findFirst().map(s -> text.substring(s.start(), s.end())).orElse("");
    }

    private static List<Edit> adding(String path, String line, Collection<Edit> edits) {
        String wanted = line.strip();
        Map<String, Edit> found = new LinkedHashMap<>();
        for (Edit e : edits) {
            if (e.op() == EditOp.DELETE_FILE || e.op() == EditOp.DELETE_SECTION) {
                continue;
            }
            boolean inContent = e.content() != null && e.content().lines().anyMatch(l -> l.strip().equals(wanted));
            boolean heading = e.op() == EditOp.ADD_SECTION && e.targetSection() != null
                    && wanted.replaceAll("^#+\\s*", "").equals(e.targetSection().strip().replaceAll("^#+\\s*", ""))
                    && wanted.startsWith("#");
            if (inContent || heading) {
                found.put(e.id(), e);
            }
        }
        if (found.isEmpty()) {
            for (Edit e : edits) {
                if (e.content() != null && wanted.length() >= 12 && e.content().contains(wanted)) {
                    found.put(e.id(), e);
                }
            }
        }
        return List.copyOf(found.values());
    }

    private static List<Edit> removing(SkillBundle s0, String path, String line, Collection<Edit> edits) {
        String wanted = line.strip();
        List<Edit> found = new ArrayList<>();
        for (Edit e : edits) {
            boolean samePath = e.path().equals(path);
            String target = e.targetText() == null ? "" : e.targetText().strip();
            boolean hit = switch (e.op()) {
                case DELETE_FILE -> samePath;
                case REPLACE_IN_SECTION -> samePath && !target.isEmpty() && (target.contains(wanted) || wanted.contains(target));
                case DELETE_SECTION -> samePath && sectionText(s0, path, e.targetSection()).lines().anyMatch(l -> l.strip().equals(wanted));
                default -> false;
            };
            if (hit) {
                found.add(e);
            }
        }
        return found;
    }
}
