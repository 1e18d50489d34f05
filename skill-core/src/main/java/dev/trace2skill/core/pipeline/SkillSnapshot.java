package dev.trace2skill.core.pipeline;

import dev.trace2skill.core.skill.SkillBundle;

import java.util.Map;

/**
 * A frozen skill version as it travels inside messages: text files inline, so a consumer needs nothing else.
 *
 * @param name    skill name (= folder name)
 * @param version version number in the registry (0 when not registered)
 * @param hash    content hash ({@link SkillBundle#contentHash()})
 * @param files   path → UTF-8 text
 */
public record SkillSnapshot(String name, int version, String hash, Map<String, String> files) {
    public SkillSnapshot {
        files = files == null ? Map.of() : Map.copyOf(files);
    }

    public static SkillSnapshot of(SkillBundle bundle, int version) {
        return new SkillSnapshot(bundle.name(), version, bundle.contentHash(), bundle.textFiles());
    }

    public SkillBundle bundle() {
        return SkillBundle.ofText(name, files);
    }

    public String ref() {
        return name + "@" + version;
    }
}
