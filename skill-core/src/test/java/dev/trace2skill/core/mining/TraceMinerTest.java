package dev.trace2skill.core.mining;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.MergePlan;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TraceMinerTest {
    static final SkillBundle S0 = SkillBundle.ofText("booking", Map.of("SKILL.md",
            "---\nname: booking\ndescription: Books flights.\n---\n# Booking\n\n## Rules\n- Verify the user.\n"));

    static Step call(String tool, String arg, String observation) {
        ObjectNode args = Json.mapper().createObjectNode().put("arg", arg);
        return new Step(null, new ToolCall(tool, args), observation);
    }

    static Trajectory t(String id, boolean success, String answer, String expected, Step... steps) {
        return new Trajectory(id, null, "Task " + id, List.of(steps), answer, Outcome.of(success), expected, null, null, null, null);
    }

    /**
     * Six trajectories whose findings are worked out by hand in {@link #findsExactlyTheHandCountedPatterns()}.
     */
    static List<Trajectory> corpus() {
        return List.of(
                t("t1", true, "booked A", null, call("get_user", "u1", "{}"), call("search", "x", "[]"), call("book", "a", "ok")),
                t("t2", true, "booked B", null, call("get_user", "u2", "{}"), call("search", "y", "[]"), call("book", "b", "ok")),
                t("t3", true, "booked C", null, call("get_user", "u3", "{}"), call("search", "z", "[]"), call("search", "z2", "[]"),
                        call("book", "c", "ok")),
                t("t4", false, "sorry", "HAT136", call("get_user", "u4", "{}"),
                        call("book", "d", "Error: payment amount does not add up, total price is 375, but paid 29"),
                        call("respond", "apology", "user: bye")),
                t("t5", false, "done", null, call("get_user", "u5", "{}"),
                        call("book", "e", "Error: payment amount does not add up, total price is 1203, but paid 8"),
                        call("book", "e2", "ok")),
                t("t6", true, "booked F", null, call("get_user", "u6", "{}"),
                        call("book", "f", "Error: not enough seats on flight HAT290"),
                        call("search", "w", "[]"), call("book", "f2", "ok")));
    }

    final TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);

    @Test
    void errorSignaturesAreNormalised() {
        assertThat(ErrorSignature.of("Error: flight HAT030 not available on date 2024-05-13"))
                .isEqualTo("error: flight <id> not available on date <date>");
        assertThat(ErrorSignature.of("Error: payment method certificate_7504069 not found"))
                .isEqualTo("error: payment method <id> not found");
        assertThat(ErrorSignature.of("Error: payment amount does not add up, total price is 375, but paid 29"))
                .isEqualTo("error: payment amount does not add up, total price is <n>, but paid <n>");
        assertThat(ErrorSignature.isError(new Step(null, null, "{\"error\": \"boom\"}"))).isTrue();
        assertThat(ErrorSignature.isError(new Step(null, null, "No errors found"))).isFalse();
        assertThat(ErrorSignature.isError(new Step(null, null, "fine", true))).isTrue();
    }

    /*
     * By hand (successes t1 t2 t3 t6, failures t4 t5; repeats collapsed, respond ignored):
     *  sequences: get_user→search {t1,t2,t3}, search→book {t1,t2,t3,t6}, get_user→search→book {t1,t2,t3};
     *    get_user→search is subsumed by get_user→search→book (3 >= 0.8*3); search→book is not (3 < 0.8*4).
     *  errors: "payment amount ..." in failures {t4,t5}, no success -> kept; "not enough seats" only in t6 -> dropped.
     *  recoveries: t5 retried book {t5}; t6 switched to search {t6}: support 1 < 2 -> dropped.
     *  decisions: search used by 4/4 successes and 0/2 failures -> kept; get_user and book used by all -> dropped.
     *  examples: each input → output pair is seen in one task only: support 1 < 2, none kept (with minSupport 1:
     *    t1, t2, t3, which follow the top sequence, first three by id — see thresholdIsConfigurable).
     *  no answer key: t4's expected answer (HAT136) is in no file of the skill.
     */
    @Test
    void findsExactlyTheHandCountedPatterns() {
        TraceMiner.Result result = miner.mine("run", corpus(), S0);
        Map<String, Finding> selected = new HashMap<>();
        result.selected().forEach(f -> selected.put(f.kind() + " " + f.key(), f));
        assertThat(selected.keySet()).containsExactlyInAnyOrder(
                "SEQUENCE `search` → `book`",
                "SEQUENCE `get_user` → `search` → `book`",
                "ERROR `book` returns `error: payment amount does not add up, total price is <n>, but paid <n>`",
                "DECISION `search`");
        assertThat(result.findings()).filteredOn(f -> f.kind() == FindingKind.EXAMPLE).hasSize(4)
                .allSatisfy(f -> assertThat(f.reason()).isEqualTo("support 1 < 2"));
        assertThat(selected.get("SEQUENCE `search` → `book`").support()).containsExactly("t1", "t2", "t3", "t6");
        assertThat(selected.get("SEQUENCE `get_user` → `search` → `book`").support()).containsExactly("t1", "t2", "t3");
        Finding payment = selected.get("ERROR `book` returns `error: payment amount does not add up, total price is <n>, but paid <n>`");
        assertThat(payment.support()).containsExactly("t4", "t5");
        assertThat(payment.failures()).isEqualTo(2);
        assertThat(payment.successes()).isZero();
        assertThat(selected.get("DECISION `search`").support()).containsExactly("t1", "t2", "t3", "t6");

        assertThat(result.findings()).filteredOn(f -> f.key().equals("`get_user` → `search`")).singleElement()
                .satisfies(f -> assertThat(f.reason()).startsWith("subsumed by"));
        assertThat(result.findings()).filteredOn(f -> f.kind() == FindingKind.RECOVERY)
                .extracting(Finding::key, f -> f.support().size())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("After `book` fails with `error: payment amount does not add up, total price is <n>, but paid <n>`, retrying `book` with corrected arguments succeeded.", 1),
                        org.assertj.core.groups.Tuple.tuple("After `book` fails with `error: not enough seats on flight <id>`, calling `search` succeeded.", 1));
        assertThat(result.findings()).filteredOn(f -> f.kind() == FindingKind.RECOVERY).noneMatch(Finding::selected);
    }

    @Test
    void composedPatchAppliesToS0AndEveryItemCarriesItsSupport() {
        TraceMiner.Result result = miner.mine("run", corpus(), S0);
        PatchApplier.Result applied = new PatchApplier(PatchPolicy.deepening()).apply(S0, result.patch());
        assertThat(applied.conflicts()).isEmpty();
        SkillBundle evolved = applied.skill();
        assertThat(new SkillValidator().validate(evolved)).isEmpty();
        String body = evolved.skillMd().body();
        assertThat(body).contains("## Workflow patterns", "- `search` → `book` (4 of 4 successful runs)",
                "## Known errors", "(in 2 failed and 0 successful runs)",
                "## Key decisions", "- Call `search`: used in 4 of 4 successful runs (100%) and 0 of 2 failed runs (0%).");
        assertThat(body).doesNotContain("Recovering from errors").doesNotContain("## Examples");
        assertThat(result.patch().edits()).filteredOn(e -> e.op() == EditOp.APPEND_TO_SECTION)
                .allSatisfy(e -> assertThat(e.support()).isNotEmpty());
        // the skill is what the evaluated agent reads: no answer key in it (the failed run t4's expected answer, an
        // assets/evals.json of tasks and answers), only successful runs' own answers as examples
        assertThat(evolved.paths()).containsExactly("SKILL.md");
        assertThat(corpus()).filteredOn(t -> t.id().equals("t4")).singleElement().satisfies(t -> assertThat(t.expectedAnswer()).isEqualTo("HAT136"));
        assertThat(evolved.text("SKILL.md")).doesNotContain("HAT136");
    }

    @Test
    void oneJobPerTrajectoryMergedHierarchicallyGivesTheSamePatchAsMiningInOneGo() {
        Patch direct = miner.mine("run", corpus(), S0).patch();
        Map<String, Boolean> outcomes = new HashMap<>();
        Map<String, Patch> nodes = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (Trajectory t : corpus()) {
            Patch p = miner.candidates(t, "run:" + t.id() + ":mining");
            nodes.put(p.id(), p);
            ids.add(p.id());
            outcomes.put(t.id(), t.successful());
        }
        MergePlan plan = MergePlan.of(ids, 2);
        for (MergeGroup g : plan.groups()) {
            nodes.put(g.nodeId(), TraceMiner.union(g.nodeId(), g.inputs().stream().map(nodes::get).toList()));
        }
        Patch viaTree = miner.select("run", nodes.get(plan.rootId()), outcomes, S0).patch();
        // the same edits with the same support; only the ids their sources point to differ (tree nodes vs one union)
        assertThat(withoutSources(viaTree)).isEqualTo(withoutSources(direct));
        assertThat(viaTree.edits()).filteredOn(e -> e.op() == EditOp.APPEND_TO_SECTION).allMatch(e -> !e.sources().isEmpty());
    }

    static List<Edit> withoutSources(Patch p) {
        return p.edits().stream().map(e -> e.withSources(List.of())).toList();
    }

    @Test
    void resultDoesNotDependOnInputOrder() {
        Patch reference = miner.mine("run", corpus(), S0).patch();
        List<Trajectory> shuffled = new ArrayList<>(corpus());
        Collections.shuffle(shuffled, new Random(7));
        assertThat(withoutSources(miner.mine("run", shuffled, S0).patch())).isEqualTo(withoutSources(reference));
    }

    @Test
    void thresholdIsConfigurable() {
        TraceMiner lenient = new TraceMiner(MiningParams.DEFAULT.withMinSupport(1));
        // examples: t1, t2, t3 (all follow the top sequence; first three by id), each input and output as inline code
        assertThat(lenient.mine("run", corpus(), S0).selected()).filteredOn(f -> f.kind() == FindingKind.EXAMPLE)
                .extracting(Finding::key).containsExactly(
                        "**Input:** `Task t1`\n  **Output:** `booked A`",
                        "**Input:** `Task t2`\n  **Output:** `booked B`",
                        "**Input:** `Task t3`\n  **Output:** `booked C`");
        assertThat(new PatchApplier(PatchPolicy.deepening()).apply(S0, lenient.mine("run", corpus(), S0).patch()).skill().skillMd().body())
                .contains("## Examples", "- **Input:** `Task t1`\n  **Output:** `booked A`");
        // t6's recovery (it went on to succeed) is kept; t5's is not: its run failed anyway
        assertThat(lenient.mine("run", corpus(), S0).selected()).filteredOn(f -> f.kind() == FindingKind.RECOVERY)
                .singleElement().satisfies(f -> assertThat(f.support()).containsExactly("t6"));
        assertThat(lenient.mine("run", corpus(), S0).findings()).filteredOn(f -> f.kind() == FindingKind.RECOVERY && !f.selected())
                .singleElement().satisfies(f -> assertThat(f.reason()).isEqualTo("never part of a successful run"));
        List<Edit> sequences = lenient.mine("run", corpus(), S0).patch().edits().stream()
                .filter(e -> "Workflow patterns".equals(e.targetSection()) && e.op() == EditOp.APPEND_TO_SECTION).toList();
        // t6's own sub-sequences are subsumed by its 4-step sequence (same support 1)
        assertThat(sequences).extracting(Edit::content).containsExactly(
                "- `search` → `book` (4 of 4 successful runs)",
                "- `get_user` → `search` → `book` (3 of 4 successful runs)",
                "- `get_user` → `book` → `search` → `book` (1 of 4 successful runs)");
    }

    @Test
    void fiveTrialsOfOneTaskAreOneTaskForTheMinersThresholds() {
        // five successful trials of task A follow get_user → search → book; one trial of task B follows it too
        List<Trajectory> ts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ts.add(new Trajectory("a" + i, "A", "Book a flight for user " + i, List.of(call("get_user", "u" + i, "{}"),
                    call("search", "x" + i, "[]"), call("book", "b" + i, "ok")), "booked", Outcome.of(true), null, null, null, null, null));
        }
        List<Trajectory> oneTask = List.copyOf(ts);
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT);
        assertThat(miner.mine("m", oneTask, S0).selected()).noneMatch(f -> f.kind() == FindingKind.SEQUENCE);
        assertThat(miner.mine("m", oneTask, S0).findings()).filteredOn(f -> f.kind() == FindingKind.SEQUENCE).isNotEmpty()
                .allSatisfy(f -> assertThat(f.reason()).contains("5 runs of 1 task"));

        ts.add(new Trajectory("b0", "B", "Another task", List.of(call("get_user", "v", "{}"), call("search", "y", "[]"),
                call("book", "c", "ok")), "booked", Outcome.of(true), null, null, null, null, null));
        TraceMiner.Result twoTasks = miner.mine("m", ts, S0);
        assertThat(twoTasks.selected()).anySatisfy(f -> assertThat(f.key()).isEqualTo("`get_user` → `search` → `book`"));
        assertThat(twoTasks.patch().edits()).anySatisfy(e -> assertThat(e.content())
                .isEqualTo("- `get_user` → `search` → `book` (6 of 6 successful runs, 2 distinct tasks)"));
    }
}
