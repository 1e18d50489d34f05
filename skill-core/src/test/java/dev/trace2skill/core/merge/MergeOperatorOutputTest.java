package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class MergeOperatorOutputTest {
    static Edit edit(String id, String content, String... support) {
        return new Edit(id, EditOp.APPEND_TO_SECTION, null, "Booking", null, content, "r", new TreeSet<>(List.of(support)), null);
    }

    static final List<Patch> INPUTS = List.of(
            new Patch("a", List.of(edit("a#1", "- x", "t1"), edit("a#2", "- y", "t1"))),
            new Patch("b", List.of(edit("b#1", "- x too", "t2", "t3"))),
            new Patch("c", List.of(edit("c#1", "- z", "t4"))));

    @Test
    void supportIsTheUnionOfTheNamedSourcesComputedInCode() {
        String answer = """
                Here is the merged patch:
                ```json
                {"edits": [
                  {"op": "append_to_section", "target_section": "Booking", "content": "- x (always)", "rationale": "recurs",
                   "sources": ["a#1", "b#1"], "support": ["made-up"]},
                  {"op": "append_to_section", "target_section": "Booking", "content": "- y", "sources": ["a#2"]}
                 ],
                 "dropped": [{"edit": "c#1", "reason": "idiosyncratic"}]}
                ```
                """;
        MergeOperatorOutput out = MergeOperatorOutput.read("L1.G0", INPUTS, answer);
        assertThat(out.errors()).isEmpty();
        assertThat(out.patch().edits()).hasSize(2);
        Edit merged = out.patch().edits().get(0);
        assertThat(merged.id()).isEqualTo("L1.G0#1");
        assertThat(merged.support()).containsExactly("t1", "t2", "t3");
        assertThat(merged.sources()).containsExactly("a#1", "b#1");
        assertThat(out.decisions()).extracting(EditDecision::edit, EditDecision::action).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("a#1", EditDecision.Action.MERGED),
                org.assertj.core.groups.Tuple.tuple("b#1", EditDecision.Action.MERGED),
                org.assertj.core.groups.Tuple.tuple("a#2", EditDecision.Action.KEPT),
                org.assertj.core.groups.Tuple.tuple("c#1", EditDecision.Action.DROPPED));
        assertThat(out.decisions()).filteredOn(d -> d.edit().equals("c#1")).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("idiosyncratic"));
    }

    @Test
    void omissionsAreRecordedAndBadOutputIsExplainedForRepair() {
        MergeOperatorOutput partial = MergeOperatorOutput.read("n", INPUTS,
                "{\"edits\":[{\"op\":\"append_to_section\",\"target_section\":\"Booking\",\"content\":\"- x\",\"sources\":[\"a#1\"]}]}");
        assertThat(partial.decisions()).filteredOn(d -> d.action() == EditDecision.Action.DROPPED)
                .extracting(EditDecision::edit).containsExactly("a#2", "b#1", "c#1");
        assertThat(partial.decisions()).filteredOn(d -> d.edit().equals("b#1")).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo("left out by the merge operator without a reason"));

        assertThat(MergeOperatorOutput.read("n", INPUTS, "not json at all").errors()).singleElement()
                .satisfies(e -> assertThat(e).startsWith("the answer is not valid JSON"));
        assertThat(MergeOperatorOutput.read("n", INPUTS, "{\"patch\": []}").errors()).singleElement()
                .satisfies(e -> assertThat(e).contains("\"edits\" array"));
        MergeOperatorOutput bad = MergeOperatorOutput.read("n", INPUTS, """
                {"edits": [
                  {"op": "append_to_section", "target_section": "Booking", "content": "- q"},
                  {"op": "append_to_section", "target_section": "Booking", "content": "- q", "sources": ["zz#9"]},
                  {"op": "rewrite", "content": "- q", "sources": ["a#1"]}
                ]}""");
        assertThat(bad.errors()).hasSize(3);
        assertThat(bad.errors().get(0)).contains("names no sources");
        assertThat(bad.errors().get(1)).contains("unknown input edits [zz#9]");
        assertThat(bad.errors().get(2)).contains("edits[2] is not a valid edit").contains("unknown op 'rewrite'");
    }
}
