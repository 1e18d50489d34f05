package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.UnverifiedPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Support counted over tasks, the unverified policy when pooling, the attribution check and similarity grouping. The
 * embedder here is a bag of words (hashed, unit length): enough to tell "the same words" from "other words", which is
 * all these tests need; the real model is measured in the merger.
 */
class SupportAndAttributionTest {
    static final SkillBundle S0 = SkillBundle.ofText("booking", Map.of("SKILL.md",
            "---\nname: booking\ndescription: Books flights.\n---\n# Booking\n\n## Rules\n- Verify the user.\n"));

    /** Hashed bag of lower-case words, unit length. */
    static final TextEmbedder WORDS = texts -> texts.stream().map(t -> {
        float[] v = new float[512];
        for (String w : t.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!w.isBlank()) {
                v[Math.floorMod(w.hashCode(), v.length)] += 1;
            }
        }
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.max(Math.sqrt(n), 1e-9);
        }
        return v;
    }).toList();

    static Edit edit(String id, String content, String... support) {
        return new Edit(id, EditOp.APPEND_TO_SECTION, null, "Rules", null, content, "seen", new java.util.TreeSet<>(List.of(support)), null);
    }

    @Test
    void fiveTrialsOfOneTaskAreOneTaskAndTheTrajectoryCountStandsBeside() {
        TaskSupport tasks = TaskSupport.ofTasks(Map.of("t1", "task:7", "t2", "task:7", "t3", "task:7", "t4", "task:7", "t5", "task:7",
                "u1", "task:8"));
        TaskSupport.Count five = tasks.count(List.of("t1", "t2", "t3", "t4", "t5"));
        assertThat(five.tasks()).isEqualTo(1);
        assertThat(five.trajectories()).isEqualTo(5);
        assertThat(five.atLeast(2)).isFalse();
        assertThat(five.describe()).isEqualTo("1 task (5 trajectories)");
        assertThat(tasks.count(List.of("t1", "t2", "u1")).describe()).isEqualTo("2 tasks (3 trajectories)");
        // unknown trajectories are tasks of their own: the count before tasks were known
        assertThat(TaskSupport.PER_TRAJECTORY.count(List.of("a", "b", "c")).tasks()).isEqualTo(3);

        // the router moves an edit of five trials of one task to references when minSupport is 2
        Patch pStar = new Patch("p", List.of(edit("p#1", "- Confirm the passenger count.", "t1", "t2", "t3", "t4", "t5"),
                edit("p#2", "- Check the fare rules.", "t1", "u1")));
        PrevalenceRouter.Output routed = PrevalenceRouter.route(pStar, S0, 2, tasks);
        assertThat(routed.decisions()).singleElement().satisfies(d -> {
            assertThat(d.edit()).isEqualTo("p#1");
            assertThat(d.action()).isEqualTo(EditDecision.Action.ROUTED);
            assertThat(d.reason()).contains("1 task (5 trajectories), fewer than 2 tasks");
        });
        // per trajectory it would have passed
        assertThat(PrevalenceRouter.route(pStar, S0, 2).decisions()).isEmpty();
    }

    @Test
    void taskKeysComeFromTheTaskIdOrTheNormalisedQuery() {
        Trajectory a = new Trajectory("a", null, "  What is  the TOTAL?", List.of(), null, Outcome.of(true), null, null, null, null, null);
        Trajectory b = new Trajectory("b", null, "what is the total", List.of(), null, Outcome.of(false), null, null, null, null, null);
        Trajectory c = new Trajectory("c", "42", "what is the total", List.of(), null, Outcome.of(false), null, null, null, null, null);
        Trajectory d = new Trajectory("d", null, null, List.of(), null, Outcome.of(false), null, null, null, null, null);
        assertThat(TaskSupport.taskKey(a)).isEqualTo(TaskSupport.taskKey(b)).startsWith("query:");
        assertThat(TaskSupport.taskKey(c)).isEqualTo("task:42");
        assertThat(TaskSupport.taskKey(d)).isEqualTo("trajectory:d");
    }

    static PatchResult result(String trajectory, String task, AnalystKind kind, Boolean verified, Boolean groundTruth, String content) {
        String patchId = kind.patchId("r", trajectory);
        Patch patch = new Patch(patchId, List.of(Edit.of(EditOp.APPEND_TO_SECTION, null, "Rules", null, content, "x"))).supportedBy(trajectory);
        return new PatchResult("r", "r:" + trajectory, patchId, trajectory, kind == AnalystKind.SUCCESS, kind, PatchResult.Status.PROPOSED,
                verified, patch, null, null, 1, 0, 1, "w", task, groundTruth);
    }

    @Test
    void unverifiedErrorPatchesAreDroppedByDefaultWhereThereIsGroundTruthAndCounted() {
        List<PatchResult> results = List.of(
                result("s1", "task:1", AnalystKind.SUCCESS, null, true, "- Verify the fare."),
                result("e1", "task:2", AnalystKind.ERROR, true, true, "- Verify the fare."),
                result("e2", "task:3", AnalystKind.ERROR, false, true, "- Guess the fare."),
                result("e3", "task:4", AnalystKind.ERROR, false, false, "- Ask for the date."));
        List<String> jobs = List.of("r:s1", "r:e1", "r:e2", "r:e3", "r:gone");

        PatchPool byDefault = PatchPool.of(results, jobs, null);
        assertThat(byDefault.patches()).extracting(Patch::id).containsExactly("r:s1:success", "r:e1:error", "r:e3:error");
        assertThat(byDefault.unverified().dropped()).isEqualTo(1);
        assertThat(byDefault.unverified().kept()).isEqualTo(1);
        assertThat(byDefault.unverified().details()).anySatisfy(d -> assertThat(d).startsWith("e2: dropped").contains("ground-truth"));
        assertThat(byDefault.missing()).anySatisfy(m -> assertThat(m).startsWith("gone: no result before the straggler timeout"));
        assertThat(byDefault.missing()).anySatisfy(m -> assertThat(m).startsWith("e2: unverified error patch dropped"));

        PatchPool keep = PatchPool.of(results, jobs, UnverifiedPolicy.KEEP);
        assertThat(keep.patches()).hasSize(4);
        assertThat(keep.unverified().kept()).isEqualTo(2);
        assertThat(keep.unverified().counts()).containsEntry("unverifiedDropped", 0).containsEntry("unverifiedKept", 2);

        PatchPool drop = PatchPool.of(results, jobs, UnverifiedPolicy.DROP);
        assertThat(drop.patches()).hasSize(2);
        assertThat(drop.unverified().dropped()).isEqualTo(2);

        // downweight: an unverified-only task counts half; a verified trajectory of the same task makes it whole
        PatchPool down = PatchPool.of(results, jobs, UnverifiedPolicy.DOWNWEIGHT);
        assertThat(down.patches()).hasSize(4);
        assertThat(down.unverified().downweighted()).isEqualTo(2);
        TaskSupport.Count c = down.support().count(List.of("e2", "e3", "s1"));
        assertThat(c.tasks()).isEqualTo(3);
        assertThat(c.weighted()).isEqualTo(2.0);
        assertThat(c.atLeast(2)).isTrue();
        assertThat(down.support().count(List.of("e2", "e3")).atLeast(2)).isFalse();
        assertThat(down.support().count(List.of("e2", "e3")).describe()).startsWith("1 tasks (2 trajectories; 2 tasks");
    }

    @Test
    void aFabricatedSourceIsRejectedAndItsSupportIsNotCounted() {
        Patch p1 = new Patch("p1", List.of(edit("p1#1", "- Confirm the passenger count before booking.", "t1")));
        Patch p2 = new Patch("p2", List.of(edit("p2#1", "- Confirm the passenger count before you book.", "t2")));
        Patch p3 = new Patch("p3", List.of(edit("p3#1", "- Use one travel certificate at most per reservation.", "t3")));
        String answer = """
                {"edits": [{"op": "append_to_section", "target_section": "Rules",
                  "content": "- Confirm the passenger count before booking.", "sources": ["p1#1", "p2#1", "p3#1"]}]}""";
        MergeOperatorOutput out = MergeOperatorOutput.read("L1.G0", List.of(p1, p2, p3), answer);
        assertThat(out.errors()).isEmpty();
        assertThat(out.patch().edits().get(0).support()).containsExactly("t1", "t2", "t3");
        NodeResult node = new NodeResult(out.patch(), out.decisions(), "llm", 0, false, null, 5);

        NodeResult checked = new AttributionCheck(WORDS, 0.5).check(node, List.of(p1, p2, p3));
        Edit merged = checked.output().edits().get(0);
        assertThat(merged.support()).containsExactly("t1", "t2");
        assertThat(merged.sources()).containsExactly("p1#1", "p2#1");
        assertThat(checked.rejectedAttributions()).singleElement().satisfies(a -> {
            assertThat(a.edit()).isEqualTo("L1.G0#1");
            assertThat(a.source()).isEqualTo("p3#1");
            assertThat(a.similarity()).isLessThan(0.5);
        });
        assertThat(checked.decisions()).filteredOn(d -> d.edit().equals("p3#1")).singleElement().satisfies(d -> {
            assertThat(d.action()).isEqualTo(EditDecision.Action.DROPPED);
            assertThat(d.reason()).startsWith("attribution rejected");
        });
        assertThat(checked.decisions()).filteredOn(d -> d.edit().equals("p1#1")).singleElement()
                .satisfies(d -> assertThat(d.action()).isEqualTo(EditDecision.Action.MERGED));

        // an output edit that resembles none of its sources has no evidence: dropped, its sources recorded as dropped
        String invented = """
                {"edits": [{"op": "append_to_section", "target_section": "Rules", "content": "- Always upsell insurance.", "sources": ["p3#1"]}]}""";
        MergeOperatorOutput bad = MergeOperatorOutput.read("L1.G1", List.of(p3), invented);
        NodeResult badChecked = new AttributionCheck(WORDS, 0.5).check(new NodeResult(bad.patch(), bad.decisions(), "llm", 0, false, null, 1), List.of(p3));
        assertThat(badChecked.output().edits()).isEmpty();
        assertThat(badChecked.decisions()).singleElement().satisfies(d -> assertThat(d.action()).isEqualTo(EditDecision.Action.DROPPED));

        // the deterministic merge attributes by construction: not checked
        NodeResult deterministic = new NodeResult(out.patch(), out.decisions(), "deterministic", 2, true, null, 5);
        assertThat(new AttributionCheck(WORDS, 0.5).around((g, in) -> deterministic).merge(null, List.of(p1, p2, p3))).isSameAs(deterministic);
    }

    @Test
    void similarityGroupingPutsPatchesThatSayTheSameThingInOneGroupWithMergePlansGroupSizes() {
        // 12 patches, B = 3: four groups of 3; two topics interleaved in arrival and section order
        List<Patch> pool = new ArrayList<>();
        String[] topics = {"- Confirm the passenger count before booking flights.", "- Use one travel certificate per reservation payment."};
        for (int i = 0; i < 12; i++) {
            pool.add(new Patch("p" + (char) ('a' + i), List.of(edit(null, topics[i % 2] + " (" + i + ")", "t" + i))));
        }
        List<Patch> bySections = PatchOrder.bySections(pool);
        List<Patch> bySimilarity = PatchOrder.bySimilarity(pool, 3, WORDS);
        assertThat(bySimilarity).containsExactlyInAnyOrderElementsOf(pool);
        MergePlan plan = MergePlan.of(bySimilarity.stream().map(Patch::id).toList(), 3);
        for (MergeGroup g : plan.level(1)) {
            Set<Integer> parities = new java.util.TreeSet<>();
            g.inputs().forEach(id -> parities.add((id.charAt(1) - 'a') % 2));
            assertThat(parities).as("group " + g.inputs()).hasSize(1);
        }
        PatchOrder.DuplicateMeetings sim = PatchOrder.duplicateMeetings(bySimilarity, 3, WORDS, 0.8);
        PatchOrder.DuplicateMeetings sec = PatchOrder.duplicateMeetings(bySections, 3, WORDS, 0.8);
        assertThat(sim.pairs()).isEqualTo(sec.pairs()).isEqualTo(30);
        assertThat(sim.metAtLevel1()).isGreaterThan(sec.metAtLevel1());
    }
}
