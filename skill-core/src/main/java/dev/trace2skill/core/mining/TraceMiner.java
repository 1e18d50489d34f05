package dev.trace2skill.core.mining;

import dev.trace2skill.core.merge.TaskSupport;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.text.MarkdownLiteral;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The offline analyser: no model, deterministic. It works as map → union → select so that the same result comes
 * out whether it runs over a list in one process or as one analysis job per trajectory merged hierarchically:
 * <ol>
 *   <li>{@link #candidates}: one trajectory → a patch of candidate edits with canonical content and support {τ}
 *       (tool-call sequences of successes, error signatures, error→recovery pairs, tool use, an example);</li>
 *   <li>{@link #union}: identical candidates are one edit whose support is the union: prevalence is counted exactly,
 *       and union is associative and commutative;</li>
 *   <li>{@link #select}: thresholds and contrasts over the counted support decide what enters the skill, and the
 *       final patch is composed (one section per kind, one edit per finding).</li>
 * </ol>
 * The miner never writes a task's expected answer into the skill: a skill is what the evaluated agent reads, so an
 * answer key in it (the {@code assets/evals.json} of earlier versions, with the expected answers of failed runs too)
 * would let the agent copy answers instead of following procedures. The Examples section shows successful runs' own
 * answers, as any few-shot demonstration does; held-out tasks are kept out of a skill by the experiment's split and
 * its leakage check ({@code dev.trace2skill.core.experiment.LeakageCheck}).
 */
public final class TraceMiner {
    private static final int EXAMPLE_QUERY_CHARS = 300;
    private static final int EXAMPLE_ANSWER_CHARS = 200;

    private final MiningParams params;

    public TraceMiner(MiningParams params) {
        this.params = params;
    }

    /** The result of mining: the patch to apply to S0, and every finding with whether and why it was kept. */
    public record Result(Patch patch, List<Finding> findings) {
        public List<Finding> selected() {
            return findings.stream().filter(Finding::selected).toList();
        }
    }

    /** Map, union and select over trajectories held in memory. */
    public Result mine(String patchId, List<Trajectory> trajectories, SkillBundle s0) {
        List<Patch> candidates = new ArrayList<>();
        Map<String, Boolean> outcomes = new LinkedHashMap<>();
        for (Trajectory t : trajectories) {
            candidates.add(candidates(t, patchId + ":" + t.id()));
            outcomes.put(t.id(), t.successful());
        }
        return select(patchId, union(patchId + ":union", candidates), outcomes, s0, TaskSupport.ofTrajectories(trajectories));
    }

    // ---- map -------------------------------------------------------------------------------------------------

    /** The candidate findings of one trajectory, each an edit supported by it alone. */
    public Patch candidates(Trajectory t, String patchId) {
        Set<String> seen = new LinkedHashSet<>();
        List<Edit> edits = new ArrayList<>();
        List<Step> calls = t.steps().stream().filter(s -> s.action() != null).toList();
        if (t.successful()) {
            for (String seq : sequences(calls)) {
                add(edits, seen, FindingKind.SEQUENCE, seq);
            }
        }
        for (int i = 0; i < calls.size(); i++) {
            Step step = calls.get(i);
            if (!ErrorSignature.isError(step) || step.observation() == null) {
                continue;
            }
            String tool = step.action().tool();
            String signature = MarkdownLiteral.code(ErrorSignature.of(step.observation()), ErrorSignature.MAX_LENGTH + 1);
            add(edits, seen, FindingKind.ERROR, code(tool) + " returns " + signature);
            recovery(calls, i).ifPresent(next -> add(edits, seen, FindingKind.RECOVERY, "After " + code(tool) + " fails with "
                    + signature + ", " + (next.action().tool().equals(tool)
                    ? "retrying " + code(tool) + " with corrected arguments succeeded."
                    : "calling " + code(next.action().tool()) + " succeeded.")));
        }
        for (Step call : calls) {
            String tool = call.action().tool();
            if (!params.ignoredTools().contains(tool)) {
                add(edits, seen, FindingKind.DECISION, code(tool));
            }
        }
        if (t.successful() && t.finalAnswer() != null && !t.finalAnswer().isBlank()) {
            add(edits, seen, FindingKind.EXAMPLE, "**Input:** " + MarkdownLiteral.code(t.query(), EXAMPLE_QUERY_CHARS)
                    + "\n  **Output:** " + MarkdownLiteral.code(t.finalAnswer(), EXAMPLE_ANSWER_CHARS));
        }
        return new Patch(patchId, edits).supportedBy(t.id()).withEditIds();
    }

    private void add(List<Edit> edits, Set<String> seen, FindingKind kind, String key) {
        if (seen.add(kind + "\n" + key)) {
            edits.add(new Edit(null, EditOp.APPEND_TO_SECTION, SkillBundle.SKILL_MD, kind.section(), null, key, kind.tag(), null, null));
        }
    }

    /** Distinct contiguous tool-call sequences, repeats of the same tool collapsed, conversational tools left out. */
    List<String> sequences(List<Step> calls) {
        List<String> tools = new ArrayList<>();
        for (Step s : calls) {
            String tool = s.action().tool();
            if (!params.ignoredTools().contains(tool) && (tools.isEmpty() || !tools.get(tools.size() - 1).equals(tool))) {
                tools.add(tool);
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (int n = params.minSequence(); n <= params.maxSequence(); n++) {
            for (int i = 0; i + n <= tools.size(); i++) {
                out.add(String.join(" → ", tools.subList(i, i + n).stream().map(TraceMiner::code).toList()));
            }
        }
        return new ArrayList<>(out);
    }

    /** The first later call that differs from the failed one (tool or arguments) and did not fail. */
    private java.util.Optional<Step> recovery(List<Step> calls, int failedAt) {
        Step failed = calls.get(failedAt);
        for (int j = failedAt + 1; j < calls.size(); j++) {
            Step next = calls.get(j);
            if (params.ignoredTools().contains(next.action().tool())) {
                continue;
            }
            boolean same = next.action().tool().equals(failed.action().tool())
                    && Objects.equals(next.action().arguments(), failed.action().arguments());
            if (same) {
                continue;
            }
            return ErrorSignature.isError(next) ? java.util.Optional.empty() : java.util.Optional.of(next);
        }
        return java.util.Optional.empty();
    }

    // ---- union -----------------------------------------------------------------------------------------------

    /**
     * Identical candidate edits become one whose support is the union of theirs and whose sources name them all (ids
     * {@code <patchId>#<n>}, in order of first appearance).
     */
    public static Patch union(String patchId, List<Patch> patches) {
        Map<List<Object>, Edit> merged = new LinkedHashMap<>();
        Map<List<Object>, List<String>> sources = new LinkedHashMap<>();
        for (Patch p : patches) {
            for (Edit e : p.withEditIds().edits()) {
                List<Object> key = java.util.Arrays.asList(e.op(), e.path(), e.targetSection(), e.targetText(), e.content(), e.rationale());
                Edit existing = merged.get(key);
                if (existing == null) {
                    merged.put(key, e);
                } else {
                    SortedSet<String> support = new TreeSet<>(existing.support());
                    support.addAll(e.support());
                    merged.put(key, existing.withSupport(support));
                }
                sources.computeIfAbsent(key, k -> new ArrayList<>()).add(e.id());
            }
        }
        List<Edit> out = new ArrayList<>();
        int n = 1;
        for (Map.Entry<List<Object>, Edit> entry : merged.entrySet()) {
            out.add(entry.getValue().withId(patchId + "#" + n++).withSources(sources.get(entry.getKey())));
        }
        return new Patch(patchId, out);
    }

    // ---- select ----------------------------------------------------------------------------------------------

    /**
     * Decides which counted findings enter the skill and composes the final patch.
     *
     * @param union    the union of all candidate patches
     * @param outcomes trajectory id → succeeded, for every mined trajectory
     * @param s0       the skill the patch applies to
     */
    public Result select(String patchId, Patch union, Map<String, Boolean> outcomes, SkillBundle s0) {
        return select(patchId, union, outcomes, s0, TaskSupport.PER_TRAJECTORY);
    }

    /**
     * @param tasks trajectory → task: every support threshold counts distinct tasks (five trials of one task are one
     *              piece of evidence), and a finding's text shows the task count where it differs from the runs
     */
    public Result select(String patchId, Patch union, Map<String, Boolean> outcomes, SkillBundle s0, TaskSupport tasks) {
        int successes = (int) outcomes.values().stream().filter(b -> b).count();
        int failures = outcomes.size() - successes;
        Map<FindingKind, List<Edit>> byKind = new LinkedHashMap<>();
        for (Edit e : union.edits()) {
            FindingKind.fromTag(e.rationale()).ifPresent(k -> byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(e));
        }
        List<Finding> findings = new ArrayList<>();
        List<Selected> chosen = new ArrayList<>();
        selectSequences(byKind.getOrDefault(FindingKind.SEQUENCE, List.of()), outcomes, successes, findings, chosen, tasks);
        selectErrors(byKind.getOrDefault(FindingKind.ERROR, List.of()), outcomes, successes, failures, findings, chosen, tasks);
        selectRecoveries(byKind.getOrDefault(FindingKind.RECOVERY, List.of()), outcomes, findings, chosen, tasks);
        selectDecisions(byKind.getOrDefault(FindingKind.DECISION, List.of()), outcomes, successes, failures, findings, chosen, tasks);
        List<Edit> examples = selectExamples(byKind.getOrDefault(FindingKind.EXAMPLE, List.of()), chosen, outcomes, findings, tasks);
        return new Result(compose(patchId, chosen, examples, outcomes, s0), findings);
    }

    private record Selected(FindingKind kind, Edit candidate, String text) {
    }

    private void selectSequences(List<Edit> candidates, Map<String, Boolean> outcomes, int successes,
                                 List<Finding> findings, List<Selected> chosen, TaskSupport tasks) {
        List<Edit> eligible = new ArrayList<>();
        for (Edit e : candidates) {
            if (!tasks.count(e.support()).atLeast(params.minSupport())) {
                findings.add(finding(FindingKind.SEQUENCE, e, outcomes, false, "support " + support(e, tasks) + " < " + params.minSupport()));
            } else {
                eligible.add(e);
            }
        }
        // longest first, so a sequence is dropped when a longer one that contains it is nearly as frequent
        eligible.sort(Comparator.comparingInt((Edit e) -> -length(e.content())).thenComparing(Edit::content));
        List<Edit> kept = new ArrayList<>();
        for (Edit e : eligible) {
            Edit container = kept.stream().filter(k -> contains(k.content(), e.content())
                    && k.support().size() >= 0.8 * e.support().size()).findFirst().orElse(null);
            if (container != null) {
                findings.add(finding(FindingKind.SEQUENCE, e, outcomes, false, "subsumed by " + container.content()));
            } else {
                kept.add(e);
            }
        }
        kept.sort(bySupportThenLength(tasks));
        for (int i = 0; i < kept.size(); i++) {
            Edit e = kept.get(i);
            if (i < params.maxPerSection()) {
                String text = "- " + e.content() + " (" + e.support().size() + " of " + successes + " successful runs" + ofTasks(e.support(), tasks) + ")";
                chosen.add(new Selected(FindingKind.SEQUENCE, e, text));
                findings.add(finding(FindingKind.SEQUENCE, e, outcomes, true, "recurs in " + e.support().size() + " successful runs"));
            } else {
                findings.add(finding(FindingKind.SEQUENCE, e, outcomes, false, "beyond the " + params.maxPerSection() + " most frequent"));
            }
        }
    }

    private void selectErrors(List<Edit> candidates, Map<String, Boolean> outcomes, int successes, int failures,
                              List<Finding> findings, List<Selected> chosen, TaskSupport tasks) {
        List<Edit> kept = new ArrayList<>();
        for (Edit e : candidates) {
            int inFailures = count(e.support(), outcomes, false);
            int inSuccesses = count(e.support(), outcomes, true);
            int failedTasks = tasks.tasks(e.support(), outcomes, false);
            double failureRate = failures == 0 ? 0 : (double) inFailures / failures;
            double successRate = successes == 0 ? 0 : (double) inSuccesses / successes;
            if (failedTasks < params.minSupport()) {
                findings.add(finding(FindingKind.ERROR, e, outcomes, false, "seen in " + inFailures + " failed runs"
                        + (failedTasks != inFailures ? " of " + failedTasks + " task(s)" : "") + " < " + params.minSupport()));
            } else if (inSuccesses > 0 && failureRate < params.errorContrast() * successRate) {
                findings.add(finding(FindingKind.ERROR, e, outcomes, false, String.format(java.util.Locale.ROOT,
                        "not rare in successes: %.2f of failed vs %.2f of successful runs", failureRate, successRate)));
            } else {
                kept.add(e);
            }
        }
        kept.sort(Comparator.comparingInt((Edit e) -> -tasks.tasks(e.support(), outcomes, false))
                .thenComparingInt(e -> -count(e.support(), outcomes, false)).thenComparing(Edit::content));
        keepTop(FindingKind.ERROR, kept, outcomes, findings, chosen, e -> "- " + e.content() + " (in "
                + count(e.support(), outcomes, false) + " failed and " + count(e.support(), outcomes, true) + " successful runs"
                + ofTasks(e.support(), tasks) + ")");
    }

    private void selectRecoveries(List<Edit> candidates, Map<String, Boolean> outcomes, List<Finding> findings, List<Selected> chosen,
                                  TaskSupport tasks) {
        List<Edit> kept = new ArrayList<>();
        for (Edit e : candidates) {
            if (!tasks.count(e.support()).atLeast(params.minSupport())) {
                findings.add(finding(FindingKind.RECOVERY, e, outcomes, false, "support " + support(e, tasks) + " < " + params.minSupport()));
            } else if (count(e.support(), outcomes, true) == 0) {
                findings.add(finding(FindingKind.RECOVERY, e, outcomes, false, "never part of a successful run"));
            } else {
                kept.add(e);
            }
        }
        kept.sort(bySupportThenLength(tasks));
        keepTop(FindingKind.RECOVERY, kept, outcomes, findings, chosen, e -> "- " + e.content() + " (seen in "
                + e.support().size() + " runs, " + count(e.support(), outcomes, true) + " of them successful" + ofTasks(e.support(), tasks) + ")");
    }

    private void selectDecisions(List<Edit> candidates, Map<String, Boolean> outcomes, int successes, int failures,
                                 List<Finding> findings, List<Selected> chosen, TaskSupport tasks) {
        List<Edit> kept = new ArrayList<>();
        Map<Edit, Double> gaps = new LinkedHashMap<>();
        for (Edit e : candidates) {
            int inSuccesses = count(e.support(), outcomes, true);
            int inFailures = count(e.support(), outcomes, false);
            double gap = (successes == 0 ? 0 : (double) inSuccesses / successes) - (failures == 0 ? 0 : (double) inFailures / failures);
            if (successes == 0 || failures == 0) {
                findings.add(finding(FindingKind.DECISION, e, outcomes, false, "needs both successful and failed runs to contrast"));
            } else if (!tasks.count(e.support()).atLeast(params.minSupport())) {
                findings.add(finding(FindingKind.DECISION, e, outcomes, false, "support " + support(e, tasks) + " < " + params.minSupport()));
            } else if (Math.abs(gap) < params.decisionGap()) {
                findings.add(finding(FindingKind.DECISION, e, outcomes, false, String.format(java.util.Locale.ROOT,
                        "usage differs by %.2f < %.2f between successful and failed runs", Math.abs(gap), params.decisionGap())));
            } else {
                kept.add(e);
                gaps.put(e, gap);
            }
        }
        kept.sort(Comparator.comparingDouble((Edit e) -> -Math.abs(gaps.get(e))).thenComparing(Edit::content));
        keepTop(FindingKind.DECISION, kept, outcomes, findings, chosen, e -> {
            int s = count(e.support(), outcomes, true);
            int f = count(e.support(), outcomes, false);
            String verb = gaps.get(e) > 0 ? "Call " : "Be wary of calling ";
            return "- " + verb + e.content() + String.format(java.util.Locale.ROOT,
                    ": used in %d of %d successful runs (%.0f%%) and %d of %d failed runs (%.0f%%).",
                    s, successes, 100.0 * s / successes, f, failures, 100.0 * f / failures);
        });
    }

    /**
     * Examples need the same support as any other finding: an input → output pair enters the skill only when it was
     * seen in at least {@code minSupport} distinct tasks (several trials of one task are one), so a single trajectory
     * can never put its answer into the skill.
     */
    private List<Edit> selectExamples(List<Edit> candidates, List<Selected> chosen, Map<String, Boolean> outcomes, List<Finding> findings,
                                      TaskSupport tasks) {
        // representative examples: trajectories that follow the most frequent kept workflow, then by id
        Set<String> preferred = chosen.stream().filter(s -> s.kind() == FindingKind.SEQUENCE).findFirst()
                .map(s -> (Set<String>) s.candidate().support()).orElse(Set.of());
        List<Edit> sorted = new ArrayList<>();
        for (Edit e : candidates) {
            if (!tasks.count(e.support()).atLeast(params.minSupport())) {
                findings.add(finding(FindingKind.EXAMPLE, e, outcomes, false, "support " + support(e, tasks) + " < " + params.minSupport()));
            } else {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparing((Edit e) -> preferred.contains(e.support().first()) ? 0 : 1)
                .thenComparing(e -> e.support().first()));
        List<Edit> kept = new ArrayList<>();
        for (Edit e : sorted) {
            boolean keep = kept.size() < params.examples();
            if (keep) {
                kept.add(e);
            }
            findings.add(finding(FindingKind.EXAMPLE, e, outcomes, keep, keep ? "representative example" : "beyond " + params.examples() + " examples"));
        }
        return kept;
    }

    private void keepTop(FindingKind kind, List<Edit> ranked, Map<String, Boolean> outcomes, List<Finding> findings,
                         List<Selected> chosen, java.util.function.Function<Edit, String> text) {
        for (int i = 0; i < ranked.size(); i++) {
            Edit e = ranked.get(i);
            boolean keep = i < params.maxPerSection();
            if (keep) {
                chosen.add(new Selected(kind, e, text.apply(e)));
            }
            findings.add(finding(kind, e, outcomes, keep, keep ? "kept" : "beyond the " + params.maxPerSection() + " strongest"));
        }
    }

    private Patch compose(String patchId, List<Selected> chosen, List<Edit> examples, Map<String, Boolean> outcomes, SkillBundle s0) {
        Set<String> existing = new java.util.HashSet<>();
        if (s0.has(SkillBundle.SKILL_MD)) {
            for (Section s : MarkdownSections.parse(s0.skillMd().body())) {
                existing.add(Section.normalizeTitle(s.title()));
            }
        }
        List<Edit> out = new ArrayList<>();
        for (FindingKind kind : FindingKind.values()) {
            List<Edit> items = new ArrayList<>();
            if (kind == FindingKind.EXAMPLE) {
                for (Edit e : examples) {
                    items.add(item(kind, e, "- " + e.content()));
                }
            } else {
                chosen.stream().filter(s -> s.kind() == kind).forEach(s -> items.add(item(kind, s.candidate(), s.text())));
            }
            if (items.isEmpty()) {
                continue;
            }
            if (!existing.contains(Section.normalizeTitle(kind.section()))) {
                SortedSet<String> support = new TreeSet<>();
                items.forEach(i -> support.addAll(i.support()));
                out.add(new Edit(null, EditOp.ADD_SECTION, SkillBundle.SKILL_MD, kind.section(), null, kind.intro(),
                        "Mined from " + outcomes.size() + " trajectories", support, null));
            }
            out.addAll(items);
        }
        return new Patch(patchId, out).withEditIds();
    }

    private static Edit item(FindingKind kind, Edit candidate, String text) {
        return new Edit(null, EditOp.APPEND_TO_SECTION, SkillBundle.SKILL_MD, kind.section(), null, text,
                kind.tag(), candidate.support(), candidate.id() == null ? null : List.of(candidate.id()));
    }

    private static Finding finding(FindingKind kind, Edit e, Map<String, Boolean> outcomes, boolean selected, String reason) {
        return new Finding(kind, e.content(), e.support(), count(e.support(), outcomes, true), count(e.support(), outcomes, false), selected, reason);
    }

    static int count(Set<String> support, Map<String, Boolean> outcomes, boolean success) {
        int n = 0;
        for (String id : support) {
            if (Boolean.valueOf(success).equals(outcomes.get(id))) {
                n++;
            }
        }
        return n;
    }

    private static Comparator<Edit> bySupportThenLength(TaskSupport tasks) {
        return Comparator.comparingDouble((Edit e) -> -tasks.count(e.support()).weighted()).thenComparingInt(e -> -e.support().size())
                .thenComparingInt(e -> -length(e.content())).thenComparing(Edit::content);
    }

    /** "3" when every run is its own task, else "3 runs of 1 task". */
    private static String support(Edit e, TaskSupport tasks) {
        TaskSupport.Count c = tasks.count(e.support());
        return c.tasks() == c.trajectories() ? Integer.toString(c.trajectories())
                : c.trajectories() + " runs of " + c.tasks() + (c.tasks() == 1 ? " task" : " tasks");
    }

    /** ", 2 distinct tasks" when the runs are trials of fewer tasks, else nothing. */
    private static String ofTasks(Set<String> support, TaskSupport tasks) {
        TaskSupport.Count c = tasks.count(support);
        return c.tasks() == c.trajectories() ? "" : ", " + c.tasks() + (c.tasks() == 1 ? " distinct task" : " distinct tasks");
    }

    private static int length(String sequence) {
        return sequence.split(" → ").length;
    }

    /** Whether sequence {@code outer} contains {@code inner} as a contiguous run. */
    private static boolean contains(String outer, String inner) {
        return !outer.equals(inner) && (" → " + outer + " → ").contains(" → " + inner + " → ");
    }

    /** A tool name as written into the skill: an inline code span (see {@link MarkdownLiteral}). */
    private static String code(String tool) {
        return MarkdownLiteral.code(tool);
    }
}
