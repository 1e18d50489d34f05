package dev.trace2skill.core.skill;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SkillDiffTest {
    @Test
    void unifiedDiffCoversChangedAddedAndRemovedFiles() {
        SkillBundle from = SkillBundle.ofText("s", Map.of(
                "SKILL.md", "---\nname: s\ndescription: d\n---\n# S\n\n## Rules\n- one\n- two\n",
                "references/old.md", "old\n"));
        SkillBundle to = SkillBundle.ofText("s", Map.of(
                "SKILL.md", "---\nname: s\ndescription: d\n---\n# S\n\n## Rules\n- one\n- two\n- three\n",
                "references/new.md", "new\n"));
        String diff = SkillDiff.unified(from, to);
        assertThat(diff).contains("--- a/SKILL.md\n+++ b/SKILL.md\n");
        assertThat(diff).contains("@@ -7,3 +7,4 @@\n ## Rules\n - one\n - two\n+- three\n");
        assertThat(diff).contains("--- /dev/null\n+++ b/references/new.md\n@@ -0,0 +1,1 @@\n+new\n");
        assertThat(diff).contains("--- a/references/old.md\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-old\n");
        assertThat(SkillDiff.changedPaths(from, to)).containsExactly("SKILL.md", "references/new.md", "references/old.md");
        assertThat(SkillDiff.unified(from, from)).isEmpty();
    }
}
