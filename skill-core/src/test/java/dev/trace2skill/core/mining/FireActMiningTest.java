package dev.trace2skill.core.mining;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.ImportRecord;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.ErrorRules;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The offline miner on the 465 real FireAct HotpotQA trajectories: the searches that came back empty ("None") are
 * flagged by the shared error rules, so the failures yield an error signature. The expected support is computed here
 * from the raw JSON (the search action before each "Observation: None").
 */
class FireActMiningTest {
    @Test
    void failedRunsYieldTheEmptySearchErrorSignature() throws Exception {
        var file = SharedData.find("trajectories/fireact/hotpotqa-dev-gpt-3.5-ft.json");
        assumeTrue(file.isPresent(), "shared FireAct data not found beside the repository");
        List<Trajectory> ts;
        try (InputStream in = Files.newInputStream(file.get())) {
            ts = TrajectoryImporters.readAll(in, false, "react", ImportOptions.defaults("fireact")).stream().map(ImportRecord::trajectory).toList();
        }
        assertThat(ts).hasSize(465);

        Set<String> emptySearch = new TreeSet<>();
        JsonNode raw = Json.mapper().readTree(file.get().toFile());
        var it = raw.fields();
        while (it.hasNext()) {
            var e = it.next();
            JsonNode traj = e.getValue().get("traj");
            for (int i = 1; i < traj.size(); i++) {
                java.util.regex.Matcher action = java.util.regex.Pattern.compile("Action:\\s*(\\w+)\\[")
                        .matcher(traj.get(i - 1).path("content").asText());
                String lastAction = null;
                while (action.find()) {
                    lastAction = action.group(1);
                }
                if (traj.get(i).path("content").asText().strip().equals("Observation: None") && "search".equals(lastAction)) {
                    emptySearch.add("fireact-" + e.getKey());
                }
            }
        }
        assertThat(emptySearch).hasSizeGreaterThanOrEqualTo(5);

        List<Step> flagged = ts.stream().flatMap(t -> t.steps().stream()).filter(s -> Boolean.TRUE.equals(s.error())).toList();
        assertThat(flagged).isNotEmpty().allSatisfy(s -> assertThat(s.errorRule()).isIn(ErrorRules.NO_RESULTS, ErrorRules.ERROR_MESSAGE,
                ErrorRules.NOT_FOUND));

        SkillBundle s0 = SkillBundle.ofText("hotpotqa", Map.of("SKILL.md",
                "---\nname: hotpotqa\ndescription: Answers multi-hop questions with a search tool.\n---\n# HotpotQA\n"));
        TraceMiner.Result result = new TraceMiner(MiningParams.DEFAULT).mine("run", ts, s0);
        Finding none = result.selected().stream()
                .filter(f -> f.kind() == FindingKind.ERROR && f.key().equals("`search` returns `none`")).findFirst()
                .orElseThrow(() -> new AssertionError("no error signature for the empty searches; errors found: "
                        + result.findings().stream().filter(f -> f.kind() == FindingKind.ERROR).toList()));
        assertThat(none.support()).isEqualTo(emptySearch);
        assertThat(none.failures()).isEqualTo((int) emptySearch.stream().filter(id -> !successful(ts, id)).count()).isGreaterThanOrEqualTo(4);
        assertThat(result.patch().edits()).anySatisfy(e -> assertThat(e.content()).contains("`search` returns `none`"));
    }

    static boolean successful(List<Trajectory> ts, String id) {
        return ts.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow().successful();
    }
}
