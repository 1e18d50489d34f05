package dev.trace2skill.core.patch;

import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillLimits;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.trace2skill.core.patch.EditOp.*;
import static org.assertj.core.api.Assertions.assertThat;

class PatchApplierTest {
    static final String FRONT = "---\nname: airline\ndescription: Airline customer service policy.\n---\n";
    static final String BODY = """
            # Airline Agent

            ## Identity
            Always verify the user id before any change.

            ## Booking
            - Ask for origin and destination.
            - Check seat availability.

            ### Payment
            Use at most one travel certificate.

            ## Cancellation
            Cancel only within 24 hours of booking.
            See references/refunds.md for refunds.
            """;

    static SkillBundle s0() {
        return SkillBundle.ofText("airline", Map.of(
                "SKILL.md", FRONT + BODY,
                "references/refunds.md", "# Refunds\nRefund to the original payment method.\n",
                "scripts/check.py", "print('ok')\n"));
    }

    final PatchApplier deepening = new PatchApplier(PatchPolicy.deepening());

    static Patch patch(Edit... edits) {
        return new Patch("p", List.of(edits));
    }

    String applyOk(Edit... edits) {
        PatchApplier.Result r = deepening.apply(s0(), patch(edits));
        assertThat(r.conflicts()).isEmpty();
        return r.skill().skillMd().body();
    }

    @Test
    void insertAfterTargetText() {
        String body = applyOk(Edit.of(INSERT_AFTER, null, "Identity", "Always verify the user id before any change.",
                "Never reveal another user's data.", "privacy"));
        assertThat(body).contains("Always verify the user id before any change.\nNever reveal another user's data.\n\n## Booking");
    }

    @Test
    void insertBeforeTargetText() {
        String body = applyOk(Edit.of(INSERT_BEFORE, null, "Booking", "- Check seat availability.", "- Confirm the cabin class.", "r"));
        assertThat(body).contains("- Ask for origin and destination.\n- Confirm the cabin class.\n- Check seat availability.\n");
    }

    @Test
    void insertAfterSectionHeadingWhenNoTargetText() {
        String body = applyOk(Edit.of(INSERT_AFTER, null, "Cancellation", null, "Read the fare rules first.", "r"));
        assertThat(body).contains("## Cancellation\nRead the fare rules first.\nCancel only within 24 hours");
    }

    @Test
    void appendToSectionGoesBeforeSubsectionsAndContinuesLists() {
        String body = applyOk(Edit.of(APPEND_TO_SECTION, null, "Booking", null, "- Repeat the itinerary back to the user.", "r"));
        assertThat(body).contains("- Check seat availability.\n- Repeat the itinerary back to the user.\n\n### Payment");
    }

    @Test
    void appendToSectionSeparatesParagraphsAndHandlesTheLastSection() {
        String body = applyOk(Edit.of(APPEND_TO_SECTION, null, "Cancellation", null, "Refunds take 7 days.", "r"));
        assertThat(body).endsWith("See references/refunds.md for refunds.\n\nRefunds take 7 days.\n");
    }

    @Test
    void replaceInSection() {
        String body = applyOk(Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "24 hours", "24 hours (48 for premium members)", "r"));
        assertThat(body).contains("Cancel only within 24 hours (48 for premium members) of booking.");
    }

    @Test
    void addSectionAtTheEnd() {
        String body = applyOk(Edit.of(ADD_SECTION, null, "Baggage", null, "- Two checked bags in business.", "r"));
        assertThat(body).endsWith("for refunds.\n\n## Baggage\n\n- Two checked bags in business.\n");
        String level3 = applyOk(Edit.of(ADD_SECTION, null, "### Pets", null, "No pets in cabin.", "r"));
        assertThat(level3).endsWith("\n### Pets\n\nNo pets in cabin.\n");
    }

    @Test
    void appendToASectionAddedByTheSamePatchKeepsEachItemAsItsOwnEdit() {
        PatchApplier.Result r = deepening.apply(s0(), patch(
                Edit.of(APPEND_TO_SECTION, null, "Workflow patterns", null, "- `a` → `b`", "x"),
                Edit.of(ADD_SECTION, null, "Workflow patterns", null, "Sequences seen in successful runs:", "x"),
                Edit.of(ADD_SECTION, null, "Pitfalls", null, "- Never guess ids.", "y"),
                Edit.of(APPEND_TO_SECTION, null, "Workflow patterns", null, "- `c` → `d`", "x"),
                Edit.of(APPEND_TO_SECTION, null, "Pitfalls", null, "- Confirm before writing.", "y")));
        assertThat(r.conflicts()).isEmpty();
        assertThat(r.skill().skillMd().body()).endsWith("""
                for refunds.

                ## Workflow patterns

                Sequences seen in successful runs:

                - `a` → `b`
                - `c` → `d`

                ## Pitfalls

                - Never guess ids.
                - Confirm before writing.
                """);
        assertThat(r.spans()).filteredOn(sp -> sp.edit() == 3).singleElement()
                .satisfies(sp -> assertThat(r.skill().text("SKILL.md").lines().toList().get(sp.startLine())).isEqualTo("- `c` → `d`"));
        List<Conflict> broken = conflicts(
                Edit.of(ADD_SECTION, null, "Booking", null, "dup", "x"),
                Edit.of(APPEND_TO_SECTION, null, "Nowhere", null, "- x", "x"));
        assertThat(broken).extracting(Conflict::kind).containsExactly(ConflictKind.SECTION_EXISTS, ConflictKind.SECTION_NOT_FOUND);
    }

    @Test
    void deleteSectionRemovesHeadingAndBody() {
        String body = applyOk(Edit.of(DELETE_SECTION, null, "Payment", null, null, "r"));
        assertThat(body).doesNotContain("Payment").doesNotContain("travel certificate").contains("- Check seat availability.\n\n## Cancellation");
    }

    @Test
    void createWithItsLinkAndDeleteFileWithTheLinkRemoved() {
        PatchApplier.Result r = deepening.apply(s0(), patch(
                Edit.of(CREATE, "references/baggage.md", null, null, "# Baggage\nTwo bags.\n", "niche"),
                Edit.of(APPEND_TO_SECTION, null, "Booking", null, "- Baggage rules: references/baggage.md", "link"),
                Edit.of(DELETE_FILE, "references/refunds.md", null, null, null, "obsolete"),
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "See references/refunds.md for refunds.\n", "", "unlink")));
        assertThat(r.conflicts()).isEmpty();
        assertThat(r.skill().paths()).containsExactly("SKILL.md", "references/baggage.md", "scripts/check.py");
        assertThat(r.skill().text("references/baggage.md")).isEqualTo("# Baggage\nTwo bags.\n");
        assertThat(r.skill().text("SKILL.md")).contains("references/baggage.md").doesNotContain("refunds");
    }

    @Test
    void everyOpTogetherAppliesAgainstTheFrozenBaseAndRecordsWhereTextLanded() {
        PatchApplier.Result r = deepening.apply(s0(), patch(
                Edit.of(INSERT_AFTER, null, "Identity", "before any change.", "Never reveal another user's data.", "a"),
                Edit.of(INSERT_BEFORE, null, "Booking", "- Check seat availability.", "- Confirm the cabin class.", "b"),
                Edit.of(APPEND_TO_SECTION, null, "Booking", null, "- Repeat the itinerary.", "c"),
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "24 hours", "24 hours (48 for premium)", "d"),
                Edit.of(DELETE_SECTION, null, "Payment", null, null, "e"),
                Edit.of(ADD_SECTION, null, "Baggage", null, "See references/baggage.md.", "f"),
                Edit.of(CREATE, "references/baggage.md", null, null, "# Baggage\n", "g")));
        assertThat(r.conflicts()).isEmpty();
        String expected = FRONT + """
                # Airline Agent

                ## Identity
                Always verify the user id before any change.
                Never reveal another user's data.

                ## Booking
                - Ask for origin and destination.
                - Confirm the cabin class.
                - Check seat availability.
                - Repeat the itinerary.

                ## Cancellation
                Cancel only within 24 hours (48 for premium) of booking.
                See references/refunds.md for refunds.

                ## Baggage

                See references/baggage.md.
                """;
        assertThat(r.skill().text("SKILL.md")).isEqualTo(expected);
        List<String> lines = expected.lines().toList();
        for (EditSpan span : r.spans()) {
            if (span.file().equals("SKILL.md")) {
                String landed = String.join("\n", lines.subList(span.startLine(), span.endLine()));
                String content = List.of("Never reveal", "- Confirm the cabin", "- Repeat the itinerary", "24 hours (48",
                        "", "## Baggage", "").get(span.edit());
                assertThat(landed).as("edit " + span.edit()).contains(content);
            }
        }
        assertThat(r.spans()).extracting(EditSpan::edit).containsExactlyInAnyOrder(0, 1, 2, 3, 5, 6);
        assertThat(r.spans()).filteredOn(s -> s.edit() == 6).singleElement()
                .isEqualTo(new EditSpan(6, "references/baggage.md", 0, 1));
    }

    @Test
    void baseIsNeverMutated() {
        SkillBundle base = s0();
        String hash = base.contentHash();
        deepening.apply(base, patch(Edit.of(DELETE_SECTION, null, "Booking", null, null, "r")));
        assertThat(base.contentHash()).isEqualTo(hash);
    }

    // ---- conflicts -------------------------------------------------------------------------------------------

    List<Conflict> conflicts(PatchApplier applier, Edit... edits) {
        PatchApplier.Result r = applier.apply(s0(), patch(edits));
        assertThat(r.skill()).isNull();
        return r.conflicts();
    }

    List<Conflict> conflicts(Edit... edits) {
        return conflicts(deepening, edits);
    }

    @Test
    void invalidEdits() {
        assertThat(conflicts(new Edit(null, null, null, "Booking", null, "x", "r", null, null)))
                .extracting(Conflict::kind).containsExactly(ConflictKind.INVALID_EDIT);
        assertThat(conflicts(Edit.of(APPEND_TO_SECTION, null, null, null, "x", "r"))).singleElement()
                .satisfies(c -> assertThat(c.message()).contains("needs target_section"));
        assertThat(conflicts(Edit.of(INSERT_AFTER, null, "Booking", null, "  ", "r"))).singleElement()
                .satisfies(c -> assertThat(c.message()).contains("non-blank content"));
        assertThat(conflicts(Edit.of(CREATE, "notes.md", null, null, "x", "r"))).singleElement()
                .satisfies(c -> assertThat(c.message()).contains("references/, scripts/ or assets/"));
        assertThat(conflicts(Edit.of(DELETE_FILE, "SKILL.md", null, null, null, "r"))).extracting(Conflict::kind)
                .containsExactly(ConflictKind.INVALID_EDIT);
        assertThat(conflicts(Edit.of(CREATE, "../escape.md", null, null, "x", "r"))).extracting(Conflict::kind)
                .containsExactly(ConflictKind.INVALID_EDIT);
    }

    @Test
    void missingFilesSectionsAndTargets() {
        assertThat(conflicts(Edit.of(APPEND_TO_SECTION, "references/nope.md", "X", null, "x", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.FILE_NOT_FOUND);
        assertThat(conflicts(Edit.of(APPEND_TO_SECTION, null, "Lounges", null, "x", "r"))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.SECTION_NOT_FOUND);
            assertThat(c.message()).contains("Lounges").contains("Booking");
        });
        assertThat(conflicts(Edit.of(REPLACE_IN_SECTION, null, "Booking", "72 hours", "x", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.TARGET_NOT_FOUND);
        // the text exists, but not in the named section
        assertThat(conflicts(Edit.of(REPLACE_IN_SECTION, null, "Booking", "24 hours", "x", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.TARGET_NOT_FOUND);
        assertThat(conflicts(Edit.of(INSERT_AFTER, null, "Booking", "- ", "x", "r"))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.TARGET_AMBIGUOUS);
            assertThat(c.message()).contains("occurs 2 times");
        });
        assertThat(conflicts(Edit.of(DELETE_FILE, "references/nope.md", null, null, null, "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.FILE_NOT_FOUND);
        assertThat(conflicts(Edit.of(CREATE, "references/refunds.md", null, null, "x", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.FILE_EXISTS);
    }

    @Test
    void ambiguousAndExistingSections() {
        SkillBundle twoNotes = SkillBundle.ofText("airline", Map.of("SKILL.md", FRONT + "# A\n## Notes\na\n# B\n## Notes\nb\n"));
        assertThat(deepening.check(twoNotes, patch(Edit.of(APPEND_TO_SECTION, null, "Notes", null, "x", "r"))))
                .extracting(Conflict::kind).containsExactly(ConflictKind.SECTION_AMBIGUOUS);
        assertThat(conflicts(Edit.of(ADD_SECTION, null, "booking", null, "x", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.SECTION_EXISTS);
        assertThat(conflicts(Edit.of(ADD_SECTION, null, "Pets", null, "x", "r"), Edit.of(ADD_SECTION, null, "## Pets", null, "y", "r")))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(ConflictKind.SECTION_EXISTS);
                    assertThat(c.edit()).isEqualTo(1);
                    assertThat(c.otherEdit()).isEqualTo(0);
                });
    }

    @Test
    void headingsInsideCodeFencesAreNotSections() {
        SkillBundle fenced = SkillBundle.ofText("airline", Map.of("SKILL.md", FRONT + "# A\n```\n## Fake\n```\n## Real\nr\n"));
        assertThat(deepening.check(fenced, patch(Edit.of(APPEND_TO_SECTION, null, "Fake", null, "x", "r"))))
                .extracting(Conflict::kind).containsExactly(ConflictKind.SECTION_NOT_FOUND);
    }

    @Test
    void overlappingEdits() {
        assertThat(conflicts(
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "24 hours", "48 hours", "r"),
                Edit.of(DELETE_SECTION, null, "Cancellation", null, null, "r")))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(ConflictKind.OVERLAPPING_EDITS);
                    assertThat(c.edit()).isEqualTo(0);
                    assertThat(c.otherEdit()).isEqualTo(1);
                });
        assertThat(conflicts(
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "within 24 hours", "x", "r"),
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "24 hours of booking", "y", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.OVERLAPPING_EDITS);
        assertThat(conflicts(
                Edit.of(INSERT_AFTER, null, "Payment", "one travel certificate", "x", "r"),
                Edit.of(DELETE_SECTION, null, "Booking", null, null, "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.OVERLAPPING_EDITS);
        assertThat(conflicts(
                Edit.of(APPEND_TO_SECTION, "references/refunds.md", "Refunds", null, "x", "r"),
                Edit.of(DELETE_FILE, "references/refunds.md", null, null, null, "r"),
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "See references/refunds.md for refunds.\n", "", "r")))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(ConflictKind.OVERLAPPING_EDITS);
                    assertThat(c.message()).contains("deletes references/refunds.md");
                });
        // edits side by side in one section do not overlap
        assertThat(deepening.check(s0(), patch(
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "24 hours", "48 hours", "r"),
                Edit.of(APPEND_TO_SECTION, null, "Cancellation", null, "More.", "r"),
                Edit.of(INSERT_BEFORE, null, "Cancellation", "Cancel only", "First:", "r")))).isEmpty();
    }

    @Test
    void protectedFiles() {
        PatchApplier guarded = new PatchApplier(PatchPolicy.deepening().withProtectedFiles(Set.of("scripts/**")));
        assertThat(conflicts(guarded, Edit.of(REPLACE_IN_SECTION, "scripts/check.py", null, "ok", "fine", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.PROTECTED_FILE);
        assertThat(conflicts(guarded, Edit.of(CREATE, "scripts/new.py", null, null, "x", "r")))
                .extracting(Conflict::kind).containsExactly(ConflictKind.PROTECTED_FILE);
    }

    @Test
    void createdReferenceMustBeLinkedAndLinksMustResolve() {
        assertThat(conflicts(Edit.of(CREATE, "references/seats.md", null, null, "# Seats\n", "r"))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.UNLINKED_REFERENCE);
            assertThat(c.edit()).isEqualTo(0);
            assertThat(c.file()).isEqualTo("references/seats.md");
        });
        assertThat(conflicts(Edit.of(APPEND_TO_SECTION, null, "Booking", null, "- Seats: references/seats.md", "r"))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.DANGLING_LINK);
            assertThat(c.edit()).isEqualTo(0);
            assertThat(c.message()).contains("references/seats.md");
        });
        assertThat(conflicts(Edit.of(DELETE_FILE, "references/refunds.md", null, null, null, "r"))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.DANGLING_LINK);
            assertThat(c.edit()).isEqualTo(0);
        });
    }

    @Test
    void frontMatterChangesDependOnTheMode() {
        Edit description = Edit.of(REPLACE_IN_SECTION, null, null, "Airline customer service policy.", "Airline agent skill.", "r");
        assertThat(conflicts(description)).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(ConflictKind.FRONT_MATTER_CHANGE);
            assertThat(c.edit()).isEqualTo(0);
            assertThat(c.message()).contains("deepening");
        });
        PatchApplier creation = new PatchApplier(PatchPolicy.creation());
        assertThat(creation.check(s0(), patch(description))).isEmpty();
        Edit name = Edit.of(REPLACE_IN_SECTION, null, null, "name: airline", "name: airline-v2", "r");
        assertThat(conflicts(creation, name)).extracting(Conflict::kind)
                .contains(ConflictKind.FRONT_MATTER_CHANGE, ConflictKind.INVALID_SKILL);
    }

    @Test
    void resultMustStayAValidSkillWithinSizeLimits() {
        PatchApplier creation = new PatchApplier(PatchPolicy.creation());
        assertThat(conflicts(creation, Edit.of(INSERT_AFTER, null, null, "name: airline\n", "version: 2", "r")))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(ConflictKind.INVALID_SKILL);
                    assertThat(c.message()).contains("unknown top-level key 'version'");
                });
        PatchApplier small = new PatchApplier(PatchPolicy.deepening().withLimits(new SkillLimits(20, 2)));
        assertThat(conflicts(small, Edit.of(APPEND_TO_SECTION, null, "Booking", null, "- a\n- b\n- c\n- d\n- e\n- f\n", "r")))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(ConflictKind.SIZE_LIMIT);
                    assertThat(c.file()).isEqualTo("SKILL.md");
                });
        assertThat(conflicts(small, Edit.of(APPEND_TO_SECTION, "references/refunds.md", "Refunds", null, "More.", "r")))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(ConflictKind.SIZE_LIMIT);
                    assertThat(c.file()).isEqualTo("references/refunds.md");
                });
    }

    @Test
    void everyConflictIsReportedAtOnce() {
        List<Conflict> all = conflicts(
                Edit.of(APPEND_TO_SECTION, null, "Lounges", null, "x", "r"),
                Edit.of(REPLACE_IN_SECTION, null, "Booking", "72 hours", "x", "r"),
                Edit.of(CREATE, "references/seats.md", null, null, "# Seats\n", "r"),
                Edit.of(REPLACE_IN_SECTION, null, "Cancellation", "24 hours", "48 hours", "r"),
                Edit.of(DELETE_SECTION, null, "Cancellation", null, null, "r"));
        assertThat(all).extracting(Conflict::kind).containsExactlyInAnyOrder(
                ConflictKind.SECTION_NOT_FOUND, ConflictKind.TARGET_NOT_FOUND, ConflictKind.UNLINKED_REFERENCE,
                ConflictKind.OVERLAPPING_EDITS);
        PatchApplier.Result r = deepening.apply(s0(), patch(
                Edit.of(APPEND_TO_SECTION, null, "Lounges", null, "x", "r"),
                Edit.of(APPEND_TO_SECTION, null, "Booking", null, "- fine", "r")));
        assertThat(r.conflictingEdits()).containsExactly(0);
    }

    @Test
    void editJsonUsesTheTrace2SkillWireFormat() throws Exception {
        Edit e = new Edit("p#1", REPLACE_IN_SECTION, "SKILL.md", "Booking", "old", "new", "why",
                new java.util.TreeSet<>(Set.of("t2", "t1")), List.of());
        String json = dev.trace2skill.core.json.Json.write(e);
        assertThat(json).isEqualTo("{\"id\":\"p#1\",\"op\":\"replace_in_section\",\"file\":\"SKILL.md\",\"target_section\":\"Booking\","
                + "\"target_text\":\"old\",\"content\":\"new\",\"rationale\":\"why\",\"support\":[\"t1\",\"t2\"]}");
        assertThat(dev.trace2skill.core.json.Json.read(json, Edit.class)).isEqualTo(e);
    }
}
