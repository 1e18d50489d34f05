package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static dev.trace2skill.core.merge.SupportAndAttributionTest.WORDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatchOrderWindowTest {
    private static final String[] SECTIONS = {"Rules", "Payments", "Baggage", "Cancellations", "Tone", "Tools"};

    /**
     * {@code n} patches over {@code topics} lessons, each lesson worded with its own rare words, each patch putting its
     * lesson into a section drawn at random (analysts disagree on where advice goes), a few patches with no edits.
     */
    static List<Patch> pool(int n, int topics, long seed) {
        Random random = new Random(seed);
        List<Patch> pool = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % 97 == 0) {
                pool.add(new Patch(String.format("p%05d", i), List.of()));
                continue;
            }
            int topic = random.nextInt(topics);
            String lesson = "- lesson" + topic + " alpha" + topic + " beta" + topic + " gamma" + topic + " check the booking (" + i + ")";
            Edit edit = new Edit(null, EditOp.APPEND_TO_SECTION, null, SECTIONS[random.nextInt(SECTIONS.length)], null, lesson, "seen",
                    new TreeSet<>(List.of("t" + i)), null);
            pool.add(new Patch(String.format("p%05d", i), List.of(edit)));
        }
        return pool;
    }

    @Test
    void aWindowedSearchKeepsEveryPatchOnceAndBringsNearlyAsManyDuplicatesTogether() {
        List<Patch> pool = pool(1_200, 40, 7);
        int branching = 5;
        List<Patch> exhaustive = PatchOrder.bySimilarity(pool, branching, WORDS, pool.size());
        List<Patch> windowed = PatchOrder.bySimilarity(pool, branching, WORDS, 32);
        List<Patch> sections = PatchOrder.bySections(pool);

        assertThat(windowed).hasSize(pool.size()).containsExactlyInAnyOrderElementsOf(pool);

        PatchOrder.DuplicateMeetings all = PatchOrder.duplicateMeetings(exhaustive, branching, WORDS, 0.8);
        PatchOrder.DuplicateMeetings window = PatchOrder.duplicateMeetings(windowed, branching, WORDS, 0.8);
        PatchOrder.DuplicateMeetings bySections = PatchOrder.duplicateMeetings(sections, branching, WORDS, 0.8);
        assertThat(window.pairs()).isEqualTo(all.pairs()).isEqualTo(bySections.pairs()).isPositive();
        // 40 lessons in groups of 5: every group can be one lesson; the window must keep (nearly) that
        assertThat(window.metAtLevel1()).isGreaterThanOrEqualTo((int) (0.9 * all.metAtLevel1()));
        assertThat(window.metAtLevel1()).isGreaterThan(3 * bySections.metAtLevel1());
    }

    @Test
    void aPoolWithinTheWindowGetsTheExhaustiveOrder() {
        List<Patch> pool = pool(300, 12, 3);
        assertThat(PatchOrder.bySimilarity(pool, 5, WORDS)).isEqualTo(PatchOrder.bySimilarity(pool, 5, WORDS, 10_000));
        assertThat(PatchOrder.bySimilarity(pool, 5, WORDS, 299)).isEqualTo(PatchOrder.bySimilarity(pool, 5, WORDS, 10_000));
        assertThatThrownBy(() -> PatchOrder.bySimilarity(pool, 5, WORDS, 0)).hasMessageContaining("at least 1");
    }

    @Test
    void theOrderIsTheSameEveryTimeForTheSamePoolInAnyArrivalOrder() {
        List<Patch> pool = pool(900, 30, 11);
        List<Patch> shuffled = new ArrayList<>(pool);
        java.util.Collections.shuffle(shuffled, new Random(5));
        assertThat(PatchOrder.bySimilarity(shuffled, 5, WORDS, 40)).isEqualTo(PatchOrder.bySimilarity(pool, 5, WORDS, 40));
    }
}
