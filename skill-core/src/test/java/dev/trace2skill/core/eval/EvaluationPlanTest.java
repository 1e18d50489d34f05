package dev.trace2skill.core.eval;

import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.TrajectoryRules;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluationPlanTest {
    static final String MD = """
            ---
            name: arithmetic
            description: Solves word problems.
            ---
            # Arithmetic

            Intro line.

            ## Read the question
            - Underline the quantities.

            ```
            # not a heading: inside a fence
            ```

            ## Check units
            - Convert before adding.

            ### Money
            Cents vs dollars.

            ## Answer
            Only the number.
            """;
    static final SkillBundle SKILL = SkillBundle.ofText("arithmetic", Map.of("SKILL.md", MD, "references/units.md", "# Units\n"));

    static List<Task> tasks(int n) {
        return IntStream.range(0, n).mapToObj(i -> new Task("t-" + i, "q" + i, Integer.toString(i), "numeric", Map.of())).toList();
    }

    @Test
    void ablationRemovesEachSecondLevelSectionWhenTheBodyHasOneTitle() {
        Map<String, SkillBundle> v = SectionAblation.variants(SKILL);
        assertThat(v.keySet()).containsExactly("Read the question", "Check units", "Answer");
        String withoutUnits = v.get("Check units").text("SKILL.md");
        assertThat(withoutUnits).doesNotContain("## Check units", "Convert before adding", "### Money", "Cents vs dollars")
                .contains("## Read the question", "# not a heading: inside a fence", "## Answer", "name: arithmetic");
        String withoutAnswer = v.get("Answer").text("SKILL.md");
        assertThat(withoutAnswer).doesNotContain("Only the number").contains("Cents vs dollars");
        // the variants are still valid skills, and keep their reference files
        v.values().forEach(b -> {
            assertThat(new SkillValidator().validate(b)).isEmpty();
            assertThat(b.has("references/units.md")).isTrue();
        });
    }

    @Test
    void ablationOfTopLevelSectionsAndOfASkillWithoutSections() {
        SkillBundle flat = SkillBundle.ofText("flat", Map.of("SKILL.md", "---\nname: flat\ndescription: d\n---\n# A\none\n# B\ntwo\n# B\nthree\n"));
        Map<String, SkillBundle> v = SectionAblation.variants(flat);
        assertThat(v.keySet()).containsExactly("A", "B", "B (2)");
        assertThat(v.get("B (2)").text("SKILL.md")).endsWith("# A\none\n# B\ntwo\n");
        SkillBundle none = SkillBundle.ofText("none", Map.of("SKILL.md", "---\nname: none\ndescription: d\n---\njust text\n"));
        assertThat(SectionAblation.variants(none)).isEmpty();
    }

    @Test
    void rangeAndSeededSample() {
        List<Task> all = tasks(100);
        assertThat(TaskSelection.range(all, 10, 13)).extracting(Task::id).containsExactly("t-10", "t-11", "t-12");
        assertThat(TaskSelection.range(all, 95, 200)).hasSize(5);
        assertThatThrownBy(() -> TaskSelection.range(all, 5, 5)).hasMessageContaining("range");
        assertThatThrownBy(() -> TaskSelection.range(all, 100, 101)).hasMessageContaining("has 100 tasks");
        List<Task> a = TaskSelection.sample(all, 10, 7);
        assertThat(a).hasSize(10).doesNotHaveDuplicates().isEqualTo(TaskSelection.sample(all, 10, 7));
        assertThat(a).isNotEqualTo(TaskSelection.sample(all, 10, 8));
        assertThat(a).isSortedAccordingTo((x, y) -> Integer.compare(Integer.parseInt(x.id().substring(2)), Integer.parseInt(y.id().substring(2))));
        assertThat(TaskSelection.sample(all, 500, 1)).hasSize(100);
    }

    @Test
    void planCoversEveryConditionTaskAndSeedWithPairsTogether() {
        Map<String, SkillBundle> skills = new LinkedHashMap<>();
        skills.put("arithmetic@1", SKILL);
        skills.put("arithmetic@2", SKILL.withText("SKILL.md", MD.replace("Only the number.", "Only the final number.")));
        List<EvaluationPlan.PlannedEpisode> plan = EvaluationPlan.plan("ev-1", skills, true, List.of("m1", "m2"), tasks(3), List.of(0, 1), true);
        // per model: baseline + 2 skills + 3 ablations each = 9 conditions; 2 models, 3 tasks, 2 seeds
        assertThat(EvaluationPlan.conditions(plan)).hasSize(18);
        assertThat(plan).hasSize(18 * 3 * 2);
        assertThat(plan).extracting(EvaluationPlan.PlannedEpisode::episodeId).doesNotHaveDuplicates()
                .allMatch(id -> TrajectoryRules.ID_PATTERN.matcher(id).matches());
        // the first 18 episodes are all conditions of task t-0 with seed 0: a stop after them leaves complete pairs
        assertThat(plan.subList(0, 18)).allMatch(p -> p.task().id().equals("t-0") && p.seed() == 0);
        assertThat(plan.get(0).condition()).isEqualTo(Condition.noSkill("m1"));
        assertThat(plan.get(0).skill()).isNull();
        EvaluationPlan.PlannedEpisode ablated = plan.stream().filter(p -> "Answer".equals(p.condition().removedSection())).findFirst().orElseThrow();
        assertThat(ablated.skill().text("SKILL.md")).doesNotContain("## Answer");
        // ids are stable: the same plan twice gives the same ids
        assertThat(EvaluationPlan.plan("ev-1", skills, true, List.of("m1", "m2"), tasks(3), List.of(0, 1), true))
                .extracting(EvaluationPlan.PlannedEpisode::episodeId)
                .containsExactlyElementsOf(plan.stream().map(EvaluationPlan.PlannedEpisode::episodeId).toList());
    }

    @Test
    void episodeIdsAreSafeForAnyTaskId() {
        String id = EvaluationPlan.episodeId("ev-9", new Condition("s@1", "m", "Sec tion"), "what is/this? ünïcode", 3);
        assertThat(id).matches(TrajectoryRules.ID_PATTERN).startsWith("ev-9:").endsWith(":s3");
    }
}
