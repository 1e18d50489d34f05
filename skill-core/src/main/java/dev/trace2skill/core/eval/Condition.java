package dev.trace2skill.core.eval;

/**
 * What an episode ran under: a skill (or none), the skill-user model, and for section ablations the section left out.
 *
 * @param skill          {@code name@version}, or null for the no-skill baseline
 * @param model          the skill-user model
 * @param removedSection the top-level section removed from the skill (ablation), or null
 */
public record Condition(String skill, String model, String removedSection) {
    public static Condition noSkill(String model) {
        return new Condition(null, model, null);
    }

    public String label() {
        String s = skill == null ? "no skill" : skill;
        return removedSection == null ? s : s + " − §" + removedSection;
    }

    public String key() {
        return (skill == null ? "-" : skill) + "|" + model + "|" + (removedSection == null ? "" : removedSection);
    }
}
