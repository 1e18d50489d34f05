package dev.trace2skill.core.skill;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Agent Skills specification's rules, checked exactly, reporting every violation at once ({@link #validate}: the
 * errors, any of which makes the folder an invalid skill). {@link #review} adds warnings: rules of good skill design
 * that an agent reading the skill depends on but the specification does not require (a description without angle
 * brackets, no README or changelog files inside the skill); a warning never refuses a skill.
 */
public final class SkillValidator {
    public static final Pattern NAME_PATTERN = Pattern.compile("^[a-z0-9]+(-[a-z0-9]+)*$");
    public static final int NAME_MAX = 64;
    public static final int DESCRIPTION_MAX = 1024;
    public static final int COMPATIBILITY_MAX = 500;
    public static final Set<String> ALLOWED_KEYS = Set.of("name", "description", "license", "compatibility", "metadata", "allowed-tools");
    private static final int VALUE_PREVIEW = 120;

    private final SkillLimits limits;

    public SkillValidator(SkillLimits limits) {
        this.limits = limits;
    }

    public SkillValidator() {
        this(SkillLimits.DEFAULT);
    }

    /** The skill's errors (what makes it invalid); warnings are not included, see {@link #review}. */
    public List<Violation> validate(SkillBundle bundle) {
        List<Violation> out = new ArrayList<>();
        String folder = bundle.name();
        if (!bundle.has(SkillBundle.SKILL_MD)) {
            out.add(new Violation(SkillBundle.SKILL_MD, "skill-md.missing", null, "the skill folder has no SKILL.md"));
        } else {
            SkillMd md = bundle.skillMd();
            validateFrontMatter(md, folder, out);
            int lines = md.bodyLines();
            if (lines > limits.maxBodyLines()) {
                out.add(new Violation(SkillBundle.SKILL_MD, "body.max-lines", String.valueOf(lines),
                        "the body has " + lines + " lines; at most " + limits.maxBodyLines() + " are allowed"));
            }
        }
        for (String path : bundle.paths()) {
            if (SkillPaths.isReference(path) && bundle.isText(path)) {
                int lines = SkillMd.lineCount(bundle.text(path));
                if (lines > limits.maxReferenceLines()) {
                    out.add(new Violation(path, "reference.max-lines", String.valueOf(lines),
                            "the reference file has " + lines + " lines; at most " + limits.maxReferenceLines() + " are allowed"));
                }
            }
        }
        return out;
    }

    /** Errors and warnings, errors first. */
    public List<Violation> review(SkillBundle bundle) {
        List<Violation> out = new ArrayList<>(validate(bundle));
        out.addAll(warnings(bundle));
        return out;
    }

    /**
     * The design rules a valid skill may still break: the description (what an agent reads to decide whether to load
     * the skill) holds angle brackets, which many agent harnesses read as markup; the folder holds a README or a
     * changelog, which an agent would load as if it were guidance.
     */
    public List<Violation> warnings(SkillBundle bundle) {
        List<Violation> out = new ArrayList<>();
        if (bundle.has(SkillBundle.SKILL_MD)) {
            SkillMd md = bundle.skillMd();
            if (md.frontMatterError() == null && md.frontMatter().get("description") instanceof String d
                    && (d.indexOf('<') >= 0 || d.indexOf('>') >= 0)) {
                out.add(Violation.warning(SkillBundle.SKILL_MD, "description.angle-brackets", preview(d),
                        "'description' should not contain angle brackets (< or >): agents may read them as markup"));
            }
        }
        for (String path : bundle.paths()) {
            String file = path.substring(path.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
            String stem = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
            if (NOT_SKILL_FILES.contains(stem)) {
                out.add(Violation.warning(path, "file.not-guidance", null,
                        "a skill holds guidance for the agent only; a README or a changelog belongs outside the skill folder"));
            }
        }
        return out;
    }

    /** File names (without extension) that document a skill rather than guide an agent. */
    static final Set<String> NOT_SKILL_FILES = Set.of("readme", "changelog");

    private static void validateFrontMatter(SkillMd md, String folder, List<Violation> out) {
        String file = SkillBundle.SKILL_MD;
        if (md.frontMatterError() != null) {
            out.add(new Violation(file, "front-matter.invalid", null, md.frontMatterError()));
            return;
        }
        Map<String, Object> fm = md.frontMatter();
        for (String key : fm.keySet()) {
            if (!ALLOWED_KEYS.contains(key)) {
                out.add(new Violation(file, "front-matter.unknown-key", key,
                        "unknown top-level key '" + key + "'; allowed: name, description, license, compatibility, metadata, allowed-tools"));
            }
        }
        Object name = fm.get("name");
        if (name == null) {
            out.add(new Violation(file, "name.required", null, "'name' is required"));
        } else if (!(name instanceof String n)) {
            out.add(new Violation(file, "name.type", preview(name), "'name' must be a string"));
        } else {
            if (n.isEmpty() || n.length() > NAME_MAX) {
                out.add(new Violation(file, "name.length", preview(n), "'name' must be 1-" + NAME_MAX + " characters, is " + n.length()));
            }
            if (!NAME_PATTERN.matcher(n).matches()) {
                out.add(new Violation(file, "name.pattern", preview(n),
                        "'name' must be lowercase letters, digits and single hyphens, not starting or ending with a hyphen"));
            }
            if (!n.equals(folder)) {
                out.add(new Violation(file, "name.folder-mismatch", preview(n), "'name' must equal the folder name '" + folder + "'"));
            }
        }
        Object description = fm.get("description");
        if (description == null) {
            out.add(new Violation(file, "description.required", null, "'description' is required"));
        } else if (!(description instanceof String d)) {
            out.add(new Violation(file, "description.type", preview(description), "'description' must be a string"));
        } else if (d.isBlank() || d.length() > DESCRIPTION_MAX) {
            out.add(new Violation(file, "description.length", preview(d),
                    "'description' must be 1-" + DESCRIPTION_MAX + " non-blank characters, is " + d.length()));
        }
        Object license = fm.get("license");
        if (license != null && !(license instanceof String)) {
            out.add(new Violation(file, "license.type", preview(license), "'license' must be a string"));
        }
        Object compatibility = fm.get("compatibility");
        if (compatibility != null) {
            if (!(compatibility instanceof String c)) {
                out.add(new Violation(file, "compatibility.type", preview(compatibility), "'compatibility' must be a string"));
            } else if (c.isEmpty() || c.length() > COMPATIBILITY_MAX) {
                out.add(new Violation(file, "compatibility.length", preview(c),
                        "'compatibility' must be 1-" + COMPATIBILITY_MAX + " characters, is " + c.length()));
            }
        }
        Object metadata = fm.get("metadata");
        if (metadata != null) {
            if (!(metadata instanceof Map<?, ?> m)) {
                out.add(new Violation(file, "metadata.type", preview(metadata), "'metadata' must be a mapping of strings to strings"));
            } else {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String) || !(e.getValue() instanceof String)) {
                        out.add(new Violation(file, "metadata.type", preview(e.getKey() + ": " + e.getValue()),
                                "'metadata' entries must map a string to a string"));
                    }
                }
            }
        }
        Object allowedTools = fm.get("allowed-tools");
        if (allowedTools != null && !(allowedTools instanceof String)) {
            out.add(new Violation(file, "allowed-tools.type", preview(allowedTools), "'allowed-tools' must be a space-separated string"));
        }
    }

    private static String preview(Object value) {
        String s = String.valueOf(value);
        return s.length() <= VALUE_PREVIEW ? s : s.substring(0, VALUE_PREVIEW) + "…";
    }
}
