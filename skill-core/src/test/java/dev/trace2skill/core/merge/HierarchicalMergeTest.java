package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HierarchicalMergeTest {
    static final SkillBundle S0 = MergeCoreTest.S0;

    static List<Patch> pool(int n) {
        List<Patch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String section = i % 3 == 0 ? "Cancellation" : "Booking";
            String content = i % 2 == 0 ? "- Confirm the passenger count." : "- Rule " + (i % 5) + ".";
            out.add(new Patch("run:t" + i + ":success", List.of(new Edit("run:t" + i + ":success#1", EditOp.APPEND_TO_SECTION, null,
                    section, null, content, "r", new java.util.TreeSet<>(List.of("t" + i)), null))));
        }
        return out;
    }

    static final class MemoryStore implements HierarchicalMerge.NodeStore {
        final Map<String, NodeResult> saved = new ConcurrentHashMap<>();

        @Override
        public Optional<NodeResult> load(String nodeId) {
            return Optional.ofNullable(saved.get(nodeId));
        }

        @Override
        public void save(MergeGroup group, NodeResult result) {
            saved.put(group.nodeId(), result);
        }
    }

    static HierarchicalMerge.Operator deterministic(AtomicInteger calls, int failAfter) {
        DeterministicMerger merger = new DeterministicMerger(PatchPolicy.deepening());
        return (group, inputs) -> {
            if (calls.incrementAndGet() > failAfter) {
                throw new IllegalStateException("merger killed");
            }
            DeterministicMerger.Output out = merger.merge(group.nodeId(), S0, inputs);
            return new NodeResult(out.patch(), out.decisions(), "deterministic", 0, false, null, 0);
        };
    }

    static Map<String, Patch> leaves(List<Patch> pool) {
        Map<String, Patch> m = new HashMap<>();
        pool.forEach(p -> m.put(p.id(), p));
        return m;
    }

    @Test
    void aMergeKilledMidLevelResumesAtTheFirstUnfinishedNodeAndReachesTheSamePStar() {
        List<Patch> pool = PatchOrder.bySections(pool(26));
        MergePlan plan = MergePlan.of(pool.stream().map(Patch::id).toList(), 5);
        assertThat(plan.depth()).isEqualTo(3);

        Patch uninterrupted = new HierarchicalMerge(plan, deterministic(new AtomicInteger(), Integer.MAX_VALUE), new MemoryStore(), 3, null)
                .run(leaves(pool));

        MemoryStore store = new MemoryStore();
        AtomicInteger firstCalls = new AtomicInteger();
        assertThatThrownBy(() -> new HierarchicalMerge(plan, deterministic(firstCalls, 4), store, 1, null).run(leaves(pool)))
                .hasMessageContaining("merger killed");
        assertThat(store.saved).hasSize(4);
        AtomicInteger resumedCalls = new AtomicInteger();
        List<String> done = new ArrayList<>();
        Patch resumed = new HierarchicalMerge(plan, deterministic(resumedCalls, Integer.MAX_VALUE), store, 3,
                (g, r, n, total) -> done.add(g.nodeId())).run(leaves(pool));
        assertThat(resumedCalls.get()).as("only the unfinished nodes are merged again").isEqualTo(plan.groups().size() - 4);
        assertThat(done).doesNotContainAnyElementsOf(List.of("L1.G0", "L1.G1", "L1.G2", "L1.G3"));
        assertThat(resumed).isEqualTo(uninterrupted);
        assertThat(resumed.edits()).filteredOn(e -> e.content().equals("- Confirm the passenger count.")).hasSize(2)
                .allSatisfy(e -> assertThat(e.support()).hasSizeGreaterThan(1));
    }

    @Test
    void sectionOrderingMakesGroupsMoreFocusedThanArrivalOrder() {
        List<Patch> arrival = pool(26);
        List<Patch> ordered = PatchOrder.bySections(arrival);
        assertThat(PatchOrder.meanPlacesPerGroup(ordered, 5)).isLessThan(PatchOrder.meanPlacesPerGroup(arrival, 5));
    }

    @Test
    void evolutionFinishesWithAValidSkillADiffAndProvenance() {
        List<Patch> pool = pool(6);
        MergePlan plan = MergePlan.of(pool.stream().map(Patch::id).toList(), 5);
        MemoryStore store = new MemoryStore();
        Patch pStar = new HierarchicalMerge(plan, deterministic(new AtomicInteger(), 99), store, 2, null).run(leaves(pool));
        Map<String, Edit> all = new HashMap<>();
        pool.forEach(p -> p.edits().forEach(e -> all.put(e.id(), e)));
        store.saved.values().forEach(r -> r.output().edits().forEach(e -> all.put(e.id(), e)));
        Map<String, Boolean> outcomes = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            outcomes.put("t" + i, i % 2 == 0);
        }
        Evolution.Result r = Evolution.finish(S0, pStar, PatchPolicy.deepening(), 2, true, all, outcomes);
        assertThat(new SkillValidator().validate(r.skill())).isEmpty();
        assertThat(r.diff()).contains("+- Confirm the passenger count.");
        // the edits seen once were routed to references/niche-cases.md
        assertThat(r.skill().paths()).contains("references/niche-cases.md");
        assertThat(r.provenance()).filteredOn(l -> l.text().equals("- Confirm the passenger count."))
                .allSatisfy(l -> {
                    assertThat(l.patches()).isNotEmpty().allMatch(p -> p.startsWith("run:t"));
                    assertThat(l.trajectories()).extracting(Provenance.TrajectoryRef::id).allMatch(outcomes::containsKey);
                });
        String changelog = Changelog.render("# Changelog", r, store.saved.values().stream().flatMap(n -> n.decisions().stream()).toList(),
                outcomes, List.of());
        assertThat(changelog).contains("## Applied edits").contains("support").contains("## Moved to references");
    }
}
