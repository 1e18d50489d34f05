package dev.trace2skill.core.eval;

import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillMd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The variants of a skill with one top-level section of its SKILL.md body removed, for measuring each section's
 * marginal effect (Trace2Skill leaves per-section attribution open). "Top-level" means the highest heading level that
 * has more than one section: a body with a single {@code # Title} and {@code ##} sections under it is ablated by its
 * {@code ##} sections, since removing the title would remove the whole skill. Reference files stay; the front matter
 * stays.
 */
public final class SectionAblation {
    private SectionAblation() {
    }

    /** Section title → the skill without that section, in body order. Titles repeated in the body are numbered. */
    public static Map<String, SkillBundle> variants(SkillBundle skill) {
        Map<String, SkillBundle> out = new LinkedHashMap<>();
        if (!skill.has(SkillBundle.SKILL_MD)) {
            return out;
        }
        String text = skill.text(SkillBundle.SKILL_MD);
        SkillMd md = SkillMd.parse(text);
        String body = md.body();
        List<Section> sections = ablationLevel(body);
        for (Section s : sections) {
            String title = s.title().isBlank() ? "(untitled)" : s.title();
            String key = title;
            for (int n = 2; out.containsKey(key); n++) {
                key = title + " (" + n + ")";
            }
            String without = body.substring(0, s.start()) + body.substring(s.end());
            out.put(key, skill.withText(SkillBundle.SKILL_MD, text.substring(0, md.bodyOffset()) + without));
        }
        return out;
    }

    static List<Section> ablationLevel(String body) {
        List<Section> all = MarkdownSections.parse(body);
        for (int level = 1; level <= 6; level++) {
            int l = level;
            List<Section> at = all.stream().filter(s -> s.level() == l).toList();
            if (at.size() > 1) {
                return at;
            }
        }
        return List.of();
    }
}
