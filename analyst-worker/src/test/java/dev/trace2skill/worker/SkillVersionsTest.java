package dev.trace2skill.worker;

import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillBundle;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SkillVersionsTest {
    static final String SKILL_MD = "---\nname: airline\ndescription: Airline policy.\n---\n# Airline\n\n## Rules\n- Verify the user.\n";

    @Test
    void oneBundlePerSkillVersionKeyedByTheFilesNotTheClaimedHash() {
        SkillVersions versions = new SkillVersions();
        SkillSnapshot s0 = new SkillSnapshot("airline", 1, "claimed", Map.of("SKILL.md", SKILL_MD));
        // every job carries its own copy of S0 (a fresh map and strings after JSON parsing)
        SkillSnapshot sameContent = new SkillSnapshot("airline", 1, "claimed", new HashMap<>(Map.of("SKILL.md", new String(SKILL_MD))));
        SkillBundle first = versions.of(s0);
        assertThat(versions.of(sameContent)).isSameAs(first);
        assertThat(first.text("SKILL.md")).isEqualTo(SKILL_MD);
        // same claimed hash, other files: another bundle with the files it was given
        SkillSnapshot other = new SkillSnapshot("airline", 1, "claimed", Map.of("SKILL.md", SKILL_MD.replace("Verify", "Check")));
        assertThat(versions.of(other)).isNotSameAs(first);
        assertThat(versions.of(other).text("SKILL.md")).contains("Check the user");
    }

    @Test
    void keepsOnlyTheMostRecentlyUsedVersions() {
        SkillVersions versions = new SkillVersions();
        SkillSnapshot kept = new SkillSnapshot("s", 0, "h", Map.of("SKILL.md", SKILL_MD));
        SkillBundle first = versions.of(kept);
        for (int i = 0; i < SkillVersions.CAPACITY * 2; i++) {
            versions.of(new SkillSnapshot("s", i, "h", Map.of("SKILL.md", SKILL_MD + "- rule " + i + "\n")));
            versions.of(kept); // used again, so never the eldest
        }
        assertThat(versions.of(kept)).isSameAs(first);
        assertThat(versions.size()).isEqualTo(SkillVersions.CAPACITY);
    }
}
