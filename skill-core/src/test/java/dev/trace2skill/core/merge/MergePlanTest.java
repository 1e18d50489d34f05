package dev.trace2skill.core.merge;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MergePlanTest {

    static List<String> patches(int n) {
        return IntStream.range(0, n).mapToObj(i -> "p" + i).toList();
    }

    /**
     * Expected depths worked out by hand as the least k with B^k ≥ |P| (not with floating-point logarithms,
     * where log(25)/log(5) = 2.0000000000000004 would round up to 3).
     */
    @ParameterizedTest(name = "|P|={0}, B={1} -> L={2}")
    @CsvSource({
            "1,2,0", "1,5,0", "1,8,0",
            "4,2,2", "4,5,1", "4,8,1",
            "5,2,3", "5,5,1", "5,8,1",
            "6,2,3", "6,5,2", "6,8,1",
            "25,2,5", "25,5,2", "25,8,2",
            "26,2,5", "26,5,3", "26,8,2",
            "512,2,9", "512,5,4", "512,8,3"
    })
    void levelsAndGroups(int n, int b, int expectedDepth) {
        MergePlan plan = MergePlan.of(patches(n), b);
        assertThat(plan.depth()).isEqualTo(expectedDepth).isEqualTo(MergePlan.depth(n, b));
        List<String> below = patches(n);
        for (int level = 1; level <= plan.depth(); level++) {
            List<MergeGroup> groups = plan.level(level);
            assertThat(groups).hasSize((below.size() + b - 1) / b);
            List<String> inputs = new ArrayList<>();
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int g = 0; g < groups.size(); g++) {
                MergeGroup group = groups.get(g);
                assertThat(group.level()).isEqualTo(level);
                assertThat(group.index()).isEqualTo(g);
                assertThat(group.nodeId()).isEqualTo("L" + level + ".G" + g);
                assertThat(group.inputs().size()).isBetween(1, b);
                min = Math.min(min, group.inputs().size());
                max = Math.max(max, group.inputs().size());
                inputs.addAll(group.inputs());
            }
            assertThat(max - min).as("balanced group sizes").isLessThanOrEqualTo(1);
            assertThat(inputs).as("each level consumes the level below, in order").isEqualTo(below);
            below = groups.stream().map(MergeGroup::nodeId).toList();
        }
        assertThat(below).hasSize(1);
        assertThat(plan.rootId()).isEqualTo(below.get(0));
        assertThat(plan.leavesUnder(plan.rootId())).containsExactlyElementsOf(patches(n));
    }

    @Test
    void twentySixPatchesWithBranchingFive() {
        MergePlan plan = MergePlan.of(patches(26), 5);
        assertThat(plan.level(1)).extracting(g -> g.inputs().size()).containsExactly(5, 5, 4, 4, 4, 4);
        assertThat(plan.level(2)).extracting(g -> g.inputs().size()).containsExactly(3, 3);
        assertThat(plan.level(3)).singleElement().satisfies(g -> assertThat(g.inputs()).containsExactly("L2.G0", "L2.G1"));
    }

    @Test
    void singlePatchNeedsNoMerge() {
        MergePlan plan = MergePlan.of(List.of("only"), 5);
        assertThat(plan.depth()).isZero();
        assertThat(plan.rootId()).isEqualTo("only");
        assertThat(plan.groups()).isEmpty();
    }

    @Test
    void supportOfAMergedNodeIsTheUnionOfItsInputs() {
        MergePlan plan = MergePlan.of(patches(6), 2);
        Map<String, Set<String>> leafSupport = Map.of(
                "p0", Set.of("t1"), "p1", Set.of("t1", "t2"), "p2", Set.of("t3"),
                "p3", Set.of(), "p4", Set.of("t4"), "p5", Set.of("t2", "t5"));
        assertThat(plan.support("L1.G0", leafSupport)).containsExactly("t1", "t2");
        assertThat(plan.support("L1.G1", leafSupport)).containsExactly("t3");
        assertThat(plan.support(plan.rootId(), leafSupport)).containsExactly("t1", "t2", "t3", "t4", "t5");
        assertThat(plan.support("p4", leafSupport)).containsExactly("t4");
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> MergePlan.of(patches(3), 1)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> MergePlan.of(List.of(), 5)).hasMessageContaining("no patch");
        assertThatThrownBy(() -> MergePlan.of(List.of("a", "a"), 5)).hasMessageContaining("distinct");
    }
}
