package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Conflict;
import dev.trace2skill.core.patch.ConflictKind;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillLimits;
import dev.trace2skill.core.skill.SkillPaths;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The merge operator without a model, used by the offline engine and as the fallback when an LLM merge stays invalid:
 * <ol>
 *   <li>duplicates (same op, file, section and target; the same or nearly the same content) become one edit whose
 *       support is the union of theirs and whose sources name them all;</li>
 *   <li>a {@code create} of {@code references/x} travels with the edits that link it, as one unit;</li>
 *   <li>units are admitted in order of support (prevalence first), each only if the patch still applies to S0
 *       without conflict; a unit whose target is not found is re-anchored to the closest S0 passage if that is
 *       unambiguous; what still conflicts is dropped with the reason.</li>
 * </ol>
 * Size limits are not enforced here (the fitter handles them once, on S*). Every input edit gets an
 * {@link EditDecision}.
 */
public final class DeterministicMerger {
    /** Token-set Jaccard similarity from which two edits on the same target count as the same advice. */
    public static final double NEAR_DUPLICATE = 0.8;

    private final PatchApplier applier;

    public DeterministicMerger(PatchPolicy policy) {
        this.applier = new PatchApplier(policy.withLimits(new SkillLimits(Integer.MAX_VALUE, Integer.MAX_VALUE)));
    }

    /** The merged patch and what happened to every input edit. */
    public record Output(Patch patch, List<EditDecision> decisions) {
    }

    private static final class Group {
        final List<Edit> members = new ArrayList<>();
        Edit representative;
        Edit result;
        boolean reanchored;
        String reanchorNote;
        final int firstSeen;

        Group(Edit first, int firstSeen) {
            members.add(first);
            representative = first;
            this.firstSeen = firstSeen;
        }

        SortedSet<String> support() {
            SortedSet<String> s = new TreeSet<>();
            members.forEach(m -> s.addAll(m.support()));
            return s;
        }

        Edit merged() {
            return representative.withSupport(support()).withSources(members.stream().map(Edit::id).toList());
        }
    }

    public Output merge(String nodeId, SkillBundle s0, List<Patch> inputs) {
        List<Edit> all = new ArrayList<>();
        for (Patch p : inputs) {
            all.addAll(p.withEditIds().edits());
        }
        List<Group> groups = dedupe(all);
        List<List<Group>> units = units(groups);
        Set<String> s0Sections = sectionsOf(s0);
        List<List<Group>> first = new ArrayList<>();
        List<List<Group>> second = new ArrayList<>();
        for (List<Group> unit : units) {
            boolean intoNewSection = unit.stream().anyMatch(g -> g.representative.op() == EditOp.APPEND_TO_SECTION
                    && !s0Sections.contains(g.representative.path() + "\n" + Section.normalizeTitle(String.valueOf(g.representative.targetSection()))));
            (intoNewSection ? second : first).add(unit);
        }
        Comparator<List<Group>> bySupport = Comparator.comparingInt((List<Group> u) -> -unitSupport(u).size())
                .thenComparingInt(u -> u.get(0).firstSeen);
        first.sort(bySupport);
        second.sort(bySupport);

        List<Group> accepted = new ArrayList<>();
        Map<Group, String> dropped = new LinkedHashMap<>();
        for (List<List<Group>> pass : List.of(first, second)) {
            for (List<Group> unit : pass) {
                admit(unit, accepted, dropped, s0);
            }
        }
        accepted.sort(Comparator.comparingInt(g -> g.firstSeen));
        List<Edit> out = new ArrayList<>();
        List<EditDecision> decisions = new ArrayList<>();
        for (int i = 0; i < accepted.size(); i++) {
            Group g = accepted.get(i);
            String id = nodeId + "#" + (i + 1);
            out.add(g.result.withId(id));
            for (Edit m : g.members) {
                if (g.reanchored) {
                    decisions.add(new EditDecision(m.id(), EditDecision.Action.REANCHORED, id, g.reanchorNote));
                } else if (g.members.size() > 1) {
                    decisions.add(new EditDecision(m.id(), EditDecision.Action.MERGED, id,
                            "one of " + g.members.size() + " duplicate or near-duplicate edits; support is their union"));
                } else {
                    decisions.add(new EditDecision(m.id(), EditDecision.Action.KEPT, id, "no conflict"));
                }
            }
        }
        dropped.forEach((g, reason) -> g.members.forEach(m -> decisions.add(EditDecision.dropped(m.id(), reason))));
        return new Output(new Patch(nodeId, out), decisions);
    }

    private void admit(List<Group> unit, List<Group> accepted, Map<Group, String> dropped, SkillBundle s0) {
        unit.forEach(g -> g.result = g.merged());
        List<Conflict> conflicts = conflictsOf(unit, accepted, s0);
        if (!conflicts.isEmpty() && conflicts.stream().allMatch(c -> c.kind() == ConflictKind.TARGET_NOT_FOUND
                || c.kind() == ConflictKind.SECTION_NOT_FOUND || c.kind() == ConflictKind.TARGET_AMBIGUOUS)) {
            List<String> notes = new ArrayList<>();
            for (Group g : unit) {
                Reanchor.Outcome o = Reanchor.reanchor(g.result, s0);
                if (o.edit().isPresent() && !o.edit().get().equals(g.result)) {
                    g.result = o.edit().get();
                    g.reanchored = true;
                    g.reanchorNote = "re-anchored: " + o.explanation();
                } else if (o.edit().isEmpty()) {
                    notes.add(o.explanation());
                }
            }
            conflicts = conflictsOf(unit, accepted, s0);
            if (!conflicts.isEmpty() && !notes.isEmpty()) {
                String reason = "not applicable to S0 and " + String.join("; ", notes);
                unit.forEach(g -> dropped.put(g, reason));
                return;
            }
        }
        if (conflicts.isEmpty()) {
            accepted.addAll(unit);
            return;
        }
        String reason = conflicts.stream().map(c -> describe(c, unit, accepted)).distinct().collect(Collectors.joining("; "));
        unit.forEach(g -> dropped.put(g, reason));
    }

    /** Conflicts that appear when {@code unit} joins the accepted edits (size limits are checked later, on S*). */
    private List<Conflict> conflictsOf(List<Group> unit, List<Group> accepted, SkillBundle s0) {
        List<Edit> edits = new ArrayList<>();
        accepted.forEach(g -> edits.add(g.result));
        unit.forEach(g -> edits.add(g.result));
        return applier.check(s0, new Patch("candidate", edits)).stream()
                .filter(c -> c.kind() != ConflictKind.SIZE_LIMIT).toList();
    }

    /** Indexes below {@code accepted.size()} in a candidate patch are accepted edits: name the one that won. */
    private static String describe(Conflict c, List<Group> unit, List<Group> accepted) {
        Integer other = c.otherEdit() != null && c.otherEdit() < accepted.size() ? c.otherEdit()
                : c.edit() != null && c.edit() < accepted.size() ? c.edit() : null;
        if (other == null) {
            return c.kind() + ": " + c.message();
        }
        Group winner = accepted.get(other);
        return c.kind() + " with " + String.join(",", winner.members.stream().map(Edit::id).toList())
                + " (support " + winner.support().size() + " >= " + unitSupport(unit).size() + ")";
    }

    private static SortedSet<String> unitSupport(List<Group> unit) {
        SortedSet<String> s = new TreeSet<>();
        unit.forEach(g -> s.addAll(g.support()));
        return s;
    }

    private static List<Group> dedupe(List<Edit> all) {
        List<Group> groups = new ArrayList<>();
        Map<List<Object>, Group> exact = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            Edit e = all.get(i);
            List<Object> key = Arrays.asList(e.op(), e.path(), norm(e.targetSection()), norm(e.targetText()), norm(e.content()));
            Group g = exact.get(key);
            if (g == null) {
                g = groups.stream().filter(x -> nearDuplicate(x.representative, e)).findFirst().orElse(null);
            }
            if (g == null) {
                g = new Group(e, i);
                groups.add(g);
                exact.put(key, g);
            } else {
                g.members.add(e);
                if (e.support().size() > g.representative.support().size()) {
                    g.representative = e;
                }
            }
        }
        return groups;
    }

    static boolean nearDuplicate(Edit a, Edit b) {
        if (a.op() != b.op() || !a.path().equals(b.path()) || !norm(a.targetSection()).equals(norm(b.targetSection()))
                || !norm(a.targetText()).equals(norm(b.targetText())) || a.op() == EditOp.CREATE || a.op() == EditOp.DELETE_FILE) {
            return false;
        }
        if (a.op() == EditOp.DELETE_SECTION) {
            return true;
        }
        return jaccard(tokens(a.content()), tokens(b.content())) >= NEAR_DUPLICATE;
    }

    /** A create of references/x together with the edits that mention references/x. */
    private static List<List<Group>> units(List<Group> groups) {
        List<List<Group>> units = new ArrayList<>();
        Set<Group> placed = new HashSet<>();
        for (Group g : groups) {
            Edit e = g.representative;
            if (e.op() == EditOp.CREATE && SkillPaths.isReference(e.path())) {
                List<Group> unit = new ArrayList<>(List.of(g));
                for (Group other : groups) {
                    if (other != g && !placed.contains(other) && other.representative.content() != null
                            && other.representative.op() != EditOp.CREATE && other.representative.content().contains(e.path())) {
                        unit.add(other);
                    }
                }
                unit.forEach(placed::add);
                units.add(unit);
            }
        }
        for (Group g : groups) {
            if (!placed.contains(g)) {
                units.add(List.of(g));
            }
        }
        return units;
    }

    private static Set<String> sectionsOf(SkillBundle s0) {
        Set<String> out = new HashSet<>();
        for (String path : s0.paths()) {
            if (path.endsWith(".md") && s0.isText(path)) {
                String text = path.equals(SkillBundle.SKILL_MD) ? s0.skillMd().body() : s0.text(path);
                for (Section s : MarkdownSections.parse(text)) {
                    out.add(path + "\n" + Section.normalizeTitle(s.title()));
                }
            }
        }
        return out;
    }

    static String norm(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    static Set<String> tokens(String s) {
        if (s == null) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))).stream()
                .filter(t -> !t.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1;
        }
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        Set<String> inter = new HashSet<>(a);
        inter.retainAll(b);
        return (double) inter.size() / union.size();
    }
}
