package dev.trace2skill.core.patch;

import dev.trace2skill.core.skill.SkillLimits;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Set;

/**
 * What a patch may change.
 *
 * @param mode           Deepening forbids changing the front matter's description; no mode may change the name
 * @param protectedFiles glob patterns (e.g. {@code scripts/**}) of files no edit may touch
 * @param limits         size limits that must hold after applying
 */
public record PatchPolicy(EvolutionMode mode, Set<String> protectedFiles, SkillLimits limits) {

    public PatchPolicy {
        protectedFiles = protectedFiles == null ? Set.of() : Set.copyOf(protectedFiles);
        limits = limits == null ? SkillLimits.DEFAULT : limits;
    }

    public static PatchPolicy deepening() {
        return new PatchPolicy(EvolutionMode.DEEPENING, Set.of(), SkillLimits.DEFAULT);
    }

    public static PatchPolicy creation() {
        return new PatchPolicy(EvolutionMode.CREATION, Set.of(), SkillLimits.DEFAULT);
    }

    public static PatchPolicy of(EvolutionMode mode) {
        return mode == EvolutionMode.CREATION ? creation() : deepening();
    }

    public PatchPolicy withProtectedFiles(Set<String> globs) {
        return new PatchPolicy(mode, globs, limits);
    }

    public PatchPolicy withLimits(SkillLimits newLimits) {
        return new PatchPolicy(mode, protectedFiles, newLimits);
    }

    public boolean allowsDescriptionChange() {
        return mode == EvolutionMode.CREATION;
    }

    public boolean isProtected(String path) {
        List<PathMatcher> matchers = protectedFiles.stream()
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        Path p = Path.of(path);
        return matchers.stream().anyMatch(m -> m.matches(p));
    }
}
