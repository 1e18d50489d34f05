package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillLimits;
import dev.trace2skill.core.skill.SkillValidator;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.trace2skill.core.patch.EditOp.*;
import static org.assertj.core.api.Assertions.assertThat;

class MergeCoreTest {
    static final String FRONT = "---\nname: airline\ndescription: Airline policy.\n---\n";
    static final SkillBundle S0 = SkillBundle.ofText("airline", Map.of("SKILL.md", FRONT + """
            # Airline Agent

            ## Booking
            - Ask for origin and destination.
            - Check seat availability before booking.

            ## Cancellation
            Cancel only within 24 hours of booking.
            """));

    static Edit edit(String id, EditOp op, String section, String target, String content, String... support) {
        return new Edit(id, op, null, section, target, content, "r", new java.util.TreeSet<>(List.of(support)), null);
    }

    static Patch patch(String id, Edit... edits) {
        return new Patch(id, List.of(edits));
    }

    final DeterministicMerger merger = new DeterministicMerger(PatchPolicy.deepening());

    @Test
    void reanchorsSmallTyposOnlyWhenUnambiguous() {
        Reanchor.Outcome o = Reanchor.reanchor(edit("e", REPLACE_IN_SECTION, "Cancelation", "Cancel only within 24 hour of booking",
                "x", "t1"), S0);
        assertThat(o.edit()).isPresent();
        assertThat(o.edit().get().targetSection()).isEqualTo("Cancellation");
        assertThat(o.edit().get().targetText()).isEqualTo("Cancel only within 24 hours of booking.");
        assertThat(o.explanation()).contains("section 'Cancelation' → 'Cancellation'").contains("similarity");
        assertThat(Reanchor.reanchor(edit("e", REPLACE_IN_SECTION, "Booking", "Refunds go to the original card", "x"), S0).edit())
                .isEmpty();
        assertThat(Reanchor.reanchor(edit("e", APPEND_TO_SECTION, "Lounge access", null, "x"), S0).edit()).isEmpty();
    }

    @Test
    void duplicatesBecomeOneEditWithTheUnionOfSupport() {
        Merged m = merge(
                patch("p1", edit("p1#1", APPEND_TO_SECTION, "Booking", null, "- Confirm the passenger count.", "t1")),
                patch("p2", edit("p2#1", APPEND_TO_SECTION, "booking", null, "- Confirm the passenger  count.", "t2")),
                patch("p3", edit("p3#1", APPEND_TO_SECTION, "Booking", null, "- Always confirm the passenger count.", "t3", "t4")));
        assertThat(m.out.patch().edits()).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo("L1.G0#1");
            assertThat(e.support()).containsExactly("t1", "t2", "t3", "t4");
            assertThat(e.sources()).containsExactly("p1#1", "p2#1", "p3#1");
            assertThat(e.content()).isEqualTo("- Always confirm the passenger count.");
        });
        assertThat(m.actions()).containsEntry("p1#1", EditDecision.Action.MERGED).containsEntry("p3#1", EditDecision.Action.MERGED);
    }

    @Test
    void conflictsAreResolvedByHigherSupportAndTheLoserIsRecorded() {
        Merged m = merge(
                patch("p1", edit("p1#1", REPLACE_IN_SECTION, "Cancellation", "24 hours", "48 hours", "t1")),
                patch("p2", edit("p2#1", REPLACE_IN_SECTION, "Cancellation", "within 24 hours", "within one day", "t2", "t3")),
                patch("p3", edit("p3#1", APPEND_TO_SECTION, "Booking", null, "- Offer insurance.", "t4")));
        assertThat(m.out.patch().edits()).extracting(Edit::content).containsExactly("within one day", "- Offer insurance.");
        EditDecision loser = m.decision("p1#1");
        assertThat(loser.action()).isEqualTo(EditDecision.Action.DROPPED);
        assertThat(loser.reason()).contains("OVERLAPPING_EDITS with p2#1").contains("support 2 >= 1");
        assertApplies(m.out.patch());
    }

    @Test
    void createAndItsLinkTravelTogether() {
        Merged m = merge(patch("p1",
                        edit("p1#1", CREATE, null, null, "# Pets\nNo pets in cabin.\n", "t1").withFile("references/pets.md"),
                        edit("p1#2", APPEND_TO_SECTION, "Booking", null, "- Pets: see references/pets.md", "t1")),
                patch("p2", edit("p2#1", APPEND_TO_SECTION, "Booking", null, "- Check the visa rules.", "t2", "t3")));
        assertThat(m.out.patch().edits()).extracting(Edit::op).containsExactlyInAnyOrder(CREATE, APPEND_TO_SECTION, APPEND_TO_SECTION);
        assertApplies(m.out.patch());
        Merged alone = merge(patch("p1", edit("p1#1", CREATE, null, null, "# Pets\n", "t1").withFile("references/pets.md")));
        assertThat(alone.out.patch().edits()).isEmpty();
        assertThat(alone.decision("p1#1").reason()).contains("UNLINKED_REFERENCE");
    }

    @Test
    void unanchoredEditsAreReanchoredOrDroppedWithTheReason() {
        Merged m = merge(
                patch("p1", edit("p1#1", INSERT_AFTER, "Booking", "- Check seat availability before booking", "- Hold the seat.", "t1")),
                patch("p2", edit("p2#1", INSERT_AFTER, "Booking", "- Check seat availablity before bookin.", "- Quote the fare.", "t2")),
                patch("p3", edit("p3#1", REPLACE_IN_SECTION, "Refunds", "Refund to the card", "x", "t3")));
        assertThat(m.decision("p1#1").action()).isEqualTo(EditDecision.Action.KEPT);
        assertThat(m.decision("p2#1").action()).isEqualTo(EditDecision.Action.REANCHORED);
        assertThat(m.decision("p2#1").reason()).contains("target_text → \"- Check seat availability before booking.\"");
        assertThat(m.decision("p3#1").action()).isEqualTo(EditDecision.Action.DROPPED);
        assertThat(m.decision("p3#1").reason()).contains("no S0 section close enough to 'Refunds'");
        assertApplies(m.out.patch());
    }

    @Test
    void everyInputEditGetsExactlyOneDecision() {
        List<Patch> inputs = List.of(
                patch("p1", edit("p1#1", APPEND_TO_SECTION, "Booking", null, "- a", "t1"), edit("p1#2", DELETE_SECTION, "Cancellation", null, null, "t1")),
                patch("p2", edit("p2#1", REPLACE_IN_SECTION, "Cancellation", "24 hours", "2 days", "t2")),
                patch("p3", edit("p3#1", APPEND_TO_SECTION, "Booking", null, "- a", "t3"), edit("p3#2", ADD_SECTION, "Meals", null, "Ask.", "t3")));
        Merged m = merge(inputs.toArray(Patch[]::new));
        assertThat(m.out.decisions()).extracting(EditDecision::edit)
                .containsExactlyInAnyOrder("p1#1", "p1#2", "p2#1", "p3#1", "p3#2");
        assertApplies(m.out.patch());
    }

    @Test
    void lowSupportEditsAreRoutedToANicheReference() {
        Patch pStar = patch("L2.G0",
                edit("L2.G0#1", APPEND_TO_SECTION, "Booking", null, "- Confirm the passenger count.", "t1", "t2", "t3"),
                edit("L2.G0#2", APPEND_TO_SECTION, "Booking", null, "- Infants under 2 fly free on domestic routes.", "t4"),
                edit("L2.G0#3", REPLACE_IN_SECTION, "Cancellation", "24 hours", "48 hours", "t5"));
        PrevalenceRouter.Output routed = PrevalenceRouter.route(pStar, S0, 2);
        assertThat(routed.decisions()).extracting(EditDecision::edit, EditDecision::action).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("L2.G0#2", EditDecision.Action.ROUTED),
                org.assertj.core.groups.Tuple.tuple("L2.G0#3", EditDecision.Action.DROPPED));
        PatchApplier.Result r = new PatchApplier(PatchPolicy.deepening()).apply(S0, routed.patch());
        assertThat(r.conflicts()).isEmpty();
        assertThat(r.skill().text("references/niche-cases.md")).contains("## Booking\n\n- Infants under 2 fly free on domestic routes.\n");
        assertThat(r.skill().skillMd().body()).contains("- Confirm the passenger count.")
                .doesNotContain("Infants").contains("## Niche cases").contains("references/niche-cases.md")
                .contains("24 hours");
        assertThat(PrevalenceRouter.route(pStar, S0, 1).patch()).isEqualTo(pStar);
    }

    @Test
    void fitterMovesTheLargestSectionsAndSplitsLongReferences() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 450; i++) {
            big.append("- rule ").append(i).append('\n');
        }
        SkillBundle tooLong = S0.withText("SKILL.md", S0.text("SKILL.md") + "\n## Fares\n" + big + "\n## Seats\n" + big.substring(0, 1200))
                .withText("references/huge.md", big.toString() + big);
        SkillFitter.Output fitted = SkillFitter.fit(tooLong, SkillLimits.DEFAULT);
        assertThat(new SkillValidator().validate(fitted.skill())).isEmpty();
        assertThat(fitted.skill().text("references/fares.md")).startsWith("## Fares\n- rule 0\n");
        assertThat(fitted.skill().skillMd().body()).contains("## Fares\n\nMoved to references/fares.md").contains("## Seats\n- rule 0");
        assertThat(fitted.skill().paths()).contains("references/huge-2.md", "references/huge-3.md", "references/huge-4.md");
        assertThat(fitted.skill().text("references/huge.md")).endsWith("Continued in references/huge-2.md\n");
        assertThat(fitted.moves()).anySatisfy(m -> assertThat(m).startsWith("moved section 'Fares'"));
    }

    @Test
    void provenanceMapsEveryChangedLineToEditsPatchesAndTrajectories() {
        Patch p1 = patch("run:t1:error", edit("run:t1:error#1", APPEND_TO_SECTION, "Booking", null, "- Confirm the passenger count.", "t1"),
                edit("run:t1:error#2", REPLACE_IN_SECTION, "Cancellation", "24 hours", "48 hours", "t1"));
        Patch p2 = patch("run:t2:success", edit("run:t2:success#1", APPEND_TO_SECTION, "Booking", null, "- Confirm the passenger count.", "t2"));
        DeterministicMerger.Output node = merger.merge("L1.G0", S0, List.of(p1, p2));
        SkillBundle sStar = new PatchApplier(PatchPolicy.deepening()).apply(S0, node.patch()).skill();
        Map<String, Edit> all = new HashMap<>();
        for (Patch p : List.of(p1, p2, node.patch())) {
            p.edits().forEach(e -> all.put(e.id(), e));
        }
        List<Provenance.Line> lines = Provenance.compute(S0, sStar, node.patch().edits(), all, Map.of("t1", false, "t2", true));
        assertThat(lines).extracting(Provenance.Line::change, Provenance.Line::text).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("added", "- Confirm the passenger count."),
                org.assertj.core.groups.Tuple.tuple("removed", "Cancel only within 24 hours of booking."),
                org.assertj.core.groups.Tuple.tuple("added", "Cancel only within 48 hours of booking."));
        Provenance.Line confirm = lines.stream().filter(l -> l.text().startsWith("- Confirm")).findFirst().orElseThrow();
        assertThat(confirm.file()).isEqualTo("SKILL.md");
        assertThat(confirm.patches()).containsExactly("run:t1:error", "run:t2:success");
        assertThat(confirm.trajectories()).containsExactly(new Provenance.TrajectoryRef("t1", false), new Provenance.TrajectoryRef("t2", true));
        Provenance.Line removed = lines.stream().filter(l -> l.change().equals("removed")).findFirst().orElseThrow();
        assertThat(removed.patches()).containsExactly("run:t1:error");
        assertThat(removed.line()).isEqualTo(12);
    }

    @Test
    void provenanceOfARoutedLineNamesOnlyTheEditItCameFrom() {
        Patch pStar = patch("L1.G0",
                edit("L1.G0#1", APPEND_TO_SECTION, "Booking", null, "- Infants fly free.", "t1"),
                edit("L1.G0#2", APPEND_TO_SECTION, "Booking", null, "- Pets need a crate.", "t2"));
        PrevalenceRouter.Output routed = PrevalenceRouter.route(pStar, S0, 2);
        SkillBundle sStar = new PatchApplier(PatchPolicy.deepening()).apply(S0, routed.patch()).skill();
        Map<String, Edit> all = new HashMap<>();
        pStar.edits().forEach(e -> all.put(e.id(), e));
        routed.patch().edits().forEach(e -> all.put(e.id(), e));
        List<Provenance.Line> lines = Provenance.compute(S0, sStar, routed.patch().edits(), all, Map.of("t1", true, "t2", false));
        assertThat(lines).filteredOn(l -> l.text().equals("- Pets need a crate.")).singleElement()
                .satisfies(l -> assertThat(l.trajectories()).containsExactly(new Provenance.TrajectoryRef("t2", false)));
    }

    // ---------------------------------------------------------------------------------------------------------

    record Merged(DeterministicMerger.Output out) {
        EditDecision decision(String id) {
            return out.decisions().stream().filter(d -> d.edit().equals(id)).findFirst().orElseThrow();
        }

        Map<String, EditDecision.Action> actions() {
            return out.decisions().stream().collect(Collectors.toMap(EditDecision::edit, EditDecision::action));
        }
    }

    Merged merge(Patch... patches) {
        return new Merged(merger.merge("L1.G0", S0, List.of(patches)));
    }

    static void assertApplies(Patch p) {
        assertThat(new PatchApplier(PatchPolicy.deepening()).check(S0, p)).isEmpty();
    }
}
