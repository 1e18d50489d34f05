package dev.trace2skill.core.patch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trace2skill.core.skill.SkillBundle;

import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One edit of a skill patch, in Trace2Skill's edit format (snake_case on the wire, as the models see it).
 *
 * @param id            unique id, e.g. {@code <patch id>#3}
 * @param op            what to do
 * @param file          the file inside the skill folder; {@code SKILL.md} when absent
 * @param targetSection the heading the edit works in (or the new heading for {@code add_section})
 * @param targetText    the exact text the edit anchors on or replaces
 * @param content       the new text
 * @param rationale     why, in the analyst's words
 * @param support       ids of the trajectories this edit is drawn from: its prevalence is |support|
 * @param sources       for merged edits: the ids of the input edits it came from
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Edit(String id, EditOp op, String file,
                   @JsonProperty("target_section") String targetSection,
                   @JsonProperty("target_text") String targetText,
                   String content, String rationale,
                   SortedSet<String> support, List<String> sources) {

    public Edit {
        support = support == null ? new TreeSet<>() : new TreeSet<>(support);
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public static Edit of(EditOp op, String file, String targetSection, String targetText, String content, String rationale) {
        return new Edit(null, op, file, targetSection, targetText, content, rationale, null, null);
    }

    /** The file, defaulting to SKILL.md. */
    @JsonIgnore
    public String path() {
        return file == null || file.isBlank() ? SkillBundle.SKILL_MD : file;
    }

    @Override
    public SortedSet<String> support() {
        return java.util.Collections.unmodifiableSortedSet(support);
    }

    public Edit withId(String newId) {
        return new Edit(newId, op, file, targetSection, targetText, content, rationale, support, sources);
    }

    public Edit withSupport(Collection<String> newSupport) {
        return new Edit(id, op, file, targetSection, targetText, content, rationale, new TreeSet<>(newSupport), sources);
    }

    public Edit withSources(List<String> newSources) {
        return new Edit(id, op, file, targetSection, targetText, content, rationale, support, newSources);
    }

    public Edit withTarget(String newSection, String newText) {
        return new Edit(id, op, file, newSection, newText, content, rationale, support, sources);
    }

    public Edit withFile(String newFile) {
        return new Edit(id, op, newFile, targetSection, targetText, content, rationale, support, sources);
    }

    public Edit withOp(EditOp newOp) {
        return new Edit(id, newOp, file, targetSection, targetText, content, rationale, support, sources);
    }

    public Edit withContent(String newContent) {
        return new Edit(id, op, file, targetSection, targetText, newContent, rationale, support, sources);
    }

    /** A short human description, e.g. {@code replace_in_section SKILL.md § "Errors"}. */
    public String describe() {
        return (op == null ? "?" : op.wire()) + " " + path() + (targetSection == null ? "" : " § \"" + targetSection + "\"");
    }
}
