package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class EditLineageTest {
    static Edit edit(String id, String content, List<String> support, List<String> sources) {
        return new Edit(id, EditOp.APPEND_TO_SECTION, null, "Workflow", null, content, "why " + id, new TreeSet<>(support), sources);
    }

    @Test
    void walksAFinalEditDownThroughTheNodesToTheAnalystsEdits() {
        Map<String, Edit> edits = Map.of(
                "p1#0", edit("p1#0", "- Check the order.", List.of("t1"), List.of()),
                "p2#0", edit("p2#0", "- Check the order first.", List.of("t2"), List.of()),
                "p3#0", edit("p3#0", "- Unrelated.", List.of("t3"), List.of()),
                "L1-0#0", edit("L1-0#0", "- Check the order first.", List.of("t1", "t2"), List.of("p1#0", "p2#0")),
                "pstar#0", edit("pstar#0", "- Check the order first.", List.of("t1", "t2"), List.of("L1-0#0")));
        List<EditLineage.Step> steps = EditLineage.walk(List.of("pstar#0", "gone#1"), edits,
                Map.of("pstar#0", "p*", "L1-0#0", "L1-0"));

        assertThat(steps).extracting(EditLineage.Step::edit).containsExactly("pstar#0", "L1-0#0", "p1#0", "p2#0", "gone#1");
        assertThat(steps).extracting(EditLineage.Step::depth).containsExactly(0, 1, 2, 2, 0);
        assertThat(steps.get(0).node()).isEqualTo("p*");
        assertThat(steps.get(1).node()).isEqualTo("L1-0");
        assertThat(steps.get(2).patch()).isEqualTo("p1");
        assertThat(steps.get(2).rationale()).isEqualTo("why p1#0");
        assertThat(steps.get(3).support()).containsExactly("t2");
        assertThat(steps.get(4).missing()).isTrue();
        assertThat(steps.get(4).patch()).isEqualTo("gone");
        assertThat(steps.get(0).patch()).isNull();
    }
}
