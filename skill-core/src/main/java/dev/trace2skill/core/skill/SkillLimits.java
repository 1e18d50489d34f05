package dev.trace2skill.core.skill;

/**
 * Size limits that Trace2Skill holds a skill to.
 *
 * @param maxBodyLines      lines of the SKILL.md body
 * @param maxReferenceLines lines of each file under {@code references/}
 */
public record SkillLimits(int maxBodyLines, int maxReferenceLines) {
    public static final SkillLimits DEFAULT = new SkillLimits(500, 300);
}
