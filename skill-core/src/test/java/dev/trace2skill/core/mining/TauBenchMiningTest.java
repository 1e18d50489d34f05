package dev.trace2skill.core.mining;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.ImportRecord;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The offline miner on the 200 real tau-bench airline trajectories. Expected supports are computed here straight
 * from the raw JSON (tool_calls and tool messages), not through the importer or the miner.
 */
class TauBenchMiningTest {
    static List<Trajectory> trajectories;
    static JsonNode raw;
    static SkillBundle s0;

    @BeforeAll
    static void load() throws Exception {
        var file = SharedData.find("trajectories/tau-bench/gpt-4o-airline.json");
        var wiki = SharedData.find("trajectories/tau-bench/airline_wiki.md");
        assumeTrue(file.isPresent() && wiki.isPresent(), "shared tau-bench data not found beside the repository");
        try (InputStream in = Files.newInputStream(file.get())) {
            trajectories = TrajectoryImporters.readAll(in, false, "openai-messages", ImportOptions.defaults("tau"))
                    .stream().map(ImportRecord::trajectory).toList();
        }
        raw = Json.mapper().readTree(file.get().toFile());
        s0 = SkillBundle.ofText("airline", Map.of("SKILL.md",
                "---\nname: airline\ndescription: Airline customer service policy.\n---\n" + Files.readString(wiki.get())));
    }

    static String id(JsonNode r) {
        return "tau-" + r.get("task_id").asText() + "-" + r.get("trial").asText();
    }

    static boolean success(JsonNode r) {
        return r.get("reward").asDouble() >= 1.0;
    }

    /** Ids of records with a tool reply from {@code tool} starting with {@code prefix}. */
    static Set<String> withError(String tool, String prefix) {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : raw) {
            for (JsonNode m : r.get("traj")) {
                if ("tool".equals(m.path("role").asText()) && tool.equals(m.path("name").asText())
                        && m.path("content").asText().startsWith(prefix)) {
                    out.add(id(r));
                }
            }
        }
        return out;
    }

    /** Tool names called, 'think' left out and consecutive repeats collapsed, as the miner's sequences are defined. */
    static List<String> collapsedTools(JsonNode r) {
        List<String> tools = new ArrayList<>();
        for (JsonNode m : r.get("traj")) {
            for (JsonNode c : m.path("tool_calls")) {
                String name = c.path("function").path("name").asText();
                if (!name.equals("think") && (tools.isEmpty() || !tools.get(tools.size() - 1).equals(name))) {
                    tools.add(name);
                }
            }
        }
        return tools;
    }

    @Test
    void findsTheRecurringPatternsWithExactSupport() {
        TraceMiner.Result result = new TraceMiner(MiningParams.DEFAULT).mine("run", trajectories, s0);

        Set<String> paymentError = withError("book_reservation", "Error: payment amount does not add up");
        Finding payment = selected(result, FindingKind.ERROR,
                "`book_reservation` returns `error: payment amount does not add up, total price is <n>, but paid <n>`");
        assertThat(payment.support()).isEqualTo(paymentError);
        assertThat(payment.failures()).isEqualTo(paymentError.stream().filter(id -> !outcome(id)).count()).isEqualTo(12);
        assertThat(payment.successes()).isEqualTo(1);

        Set<String> giftCard = withError("update_reservation_flights", "Error: gift card balance is not enough");
        assertThat(selected(result, FindingKind.ERROR, "`update_reservation_flights` returns `error: gift card balance is not enough`")
                .support()).isEqualTo(giftCard).hasSize(5);

        Set<String> userThenReservation = new TreeSet<>();
        for (JsonNode r : raw) {
            List<String> tools = collapsedTools(r);
            for (int i = 0; success(r) && i + 1 < tools.size(); i++) {
                if (tools.get(i).equals("get_user_details") && tools.get(i + 1).equals("get_reservation_details")) {
                    userThenReservation.add(id(r));
                }
            }
        }
        assertThat(selected(result, FindingKind.SEQUENCE, "`get_user_details` → `get_reservation_details`").support())
                .isEqualTo(userThenReservation).hasSize(35);

        Set<String> searchDirect = new TreeSet<>();
        for (JsonNode r : raw) {
            if (collapsedTools(r).contains("search_direct_flight")) {
                searchDirect.add(id(r));
            }
        }
        Finding decision = selected(result, FindingKind.DECISION, "`search_direct_flight`");
        assertThat(decision.support()).isEqualTo(searchDirect);
        assertThat(decision.successes()).isEqualTo(13);
        assertThat(decision.failures()).isEqualTo(48);
    }

    @Test
    void minedSkillAppliesToTheHumanWrittenPolicy() {
        TraceMiner.Result result = new TraceMiner(MiningParams.DEFAULT).mine("run", trajectories, s0);
        PatchApplier.Result applied = new PatchApplier(PatchPolicy.deepening()).apply(s0, result.patch());
        assertThat(applied.conflicts()).isEmpty();
        assertThat(new SkillValidator().validate(applied.skill())).isEmpty();
        assertThat(applied.skill().paths()).as("no answer key beside the policy").containsExactly("SKILL.md");
    }

    static boolean outcome(String id) {
        return trajectories.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow().successful();
    }

    static Finding selected(TraceMiner.Result result, FindingKind kind, String key) {
        return result.selected().stream().filter(f -> f.kind() == kind && f.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("not selected: " + kind + " " + key + "\nselected: " + result.selected()));
    }
}
