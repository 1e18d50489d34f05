package dev.trace2skill.core.patch;

import dev.trace2skill.core.patch.ResolvedPatch.Splice;
import dev.trace2skill.core.patch.ResolvedPatch.Touch;
import dev.trace2skill.core.patch.ResolvedPatch.TouchKind;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillMd;
import dev.trace2skill.core.skill.SkillPaths;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Result checks: the conflicts between resolved edits (one removes text another touches; an append into a section
 * whose add_section failed), and, once spliced, what the result may not do under the patch policy (break a skill
 * rule S0 kept, grow past the size limits, change the front matter, leave a created reference unlinked or a link
 * dangling).
 */
final class PatchChecks {
    private static final Pattern REFERENCE_LINK = Pattern.compile("(?<![A-Za-z0-9_./-])references/[A-Za-z0-9_./-]*[A-Za-z0-9_-]");

    private final PatchPolicy policy;
    private final SkillValidator validator;

    PatchChecks(PatchPolicy policy) {
        this.policy = policy;
        this.validator = new SkillValidator(policy.limits());
    }

    /** Conflicts between edits, found before splicing; the edits they name are not applied. */
    void checkEdits(ResolvedPatch resolved) {
        checkDependencies(resolved);
        checkOverlaps(resolved);
    }

    private void checkDependencies(ResolvedPatch resolved) {
        resolved.dependsOn.forEach((append, add) -> {
            if (!resolved.applies(add) && resolved.applies(append)) {
                resolved.reject(ConflictKind.SECTION_NOT_FOUND, append, add, resolved.edits.get(append).path(), "edit " + append
                        + " appends to the section added by edit " + add + ", which cannot be applied");
            }
        });
    }

    private void checkOverlaps(ResolvedPatch resolved) {
        List<Touch> touches = resolved.touches;
        for (int a = 0; a < touches.size(); a++) {
            for (int b = a + 1; b < touches.size(); b++) {
                Touch x = touches.get(a);
                Touch y = touches.get(b);
                if (x.edit() == y.edit() || !x.file().equals(y.file())) {
                    continue;
                }
                if (removesTouched(x, y) || removesTouched(y, x)) {
                    String what = x.kind() == TouchKind.WHOLE_FILE || y.kind() == TouchKind.WHOLE_FILE
                            ? "one deletes " + x.file() + " which the other edits"
                            : "they touch overlapping text in " + x.file();
                    int first = Math.min(x.edit(), y.edit());
                    int second = Math.max(x.edit(), y.edit());
                    boolean seen = resolved.conflicts.stream().anyMatch(c -> c.kind() == ConflictKind.OVERLAPPING_EDITS
                            && Objects.equals(c.edit(), first) && Objects.equals(c.otherEdit(), second));
                    if (!seen) {
                        resolved.reject(ConflictKind.OVERLAPPING_EDITS, first, second, x.file(), "edits " + first + " ("
                                + resolved.edits.get(first).describe() + ") and " + second + " ("
                                + resolved.edits.get(second).describe() + ") conflict: " + what);
                        resolved.failed.add(second);
                    }
                }
            }
        }
    }

    /** True when {@code r} removes text that {@code t} touches. */
    private static boolean removesTouched(Touch r, Touch t) {
        if (r.kind() == TouchKind.WHOLE_FILE) {
            return true;
        }
        if (r.kind() != TouchKind.REMOVE) {
            return false;
        }
        if (t.kind() == TouchKind.POINT) {
            return r.start() < t.start() && t.start() < r.end();
        }
        return r.start() < t.end() && t.start() < r.end();
    }

    /** What the spliced result breaks that S0 did not: skill rules, size limits, the front matter, reference links. */
    void checkResult(ResolvedPatch resolved, SkillBundle result) {
        SkillBundle base = resolved.base;
        // what S0 already breaks, worked out once per S0 and these limits (a worker checks many patches against one S0)
        Set<String> before = base.derived(List.of("violated-rules", policy.limits()), b -> {
            Set<String> rules = new HashSet<>();
            for (Violation v : validator.validate(b)) {
                rules.add(v.file() + "\n" + v.rule());
            }
            return Set.copyOf(rules);
        });
        for (Violation v : validator.validate(result)) {
            if (before.contains(v.file() + "\n" + v.rule())) {
                continue;
            }
            boolean size = v.rule().endsWith("max-lines");
            resolved.report(new Conflict(size ? ConflictKind.SIZE_LIMIT : ConflictKind.INVALID_SKILL,
                    size ? null : firstEditOn(resolved, v.file()), null, v.file(), v.message()));
        }
        if (base.has(SkillBundle.SKILL_MD) && result.has(SkillBundle.SKILL_MD)) {
            checkFrontMatter(resolved, base.skillMd(), result.skillMd());
            checkLinks(resolved, result);
        }
    }

    private void checkFrontMatter(ResolvedPatch resolved, SkillMd before, SkillMd after) {
        Integer culprit = firstEditBefore(resolved, SkillBundle.SKILL_MD, before.bodyOffset());
        if (!Objects.equals(before.name(), after.name())) {
            resolved.report(new Conflict(ConflictKind.FRONT_MATTER_CHANGE, culprit, null, SkillBundle.SKILL_MD,
                    "the front matter's name may not change ('" + before.name() + "' -> '" + after.name() + "')"));
        }
        if (!policy.allowsDescriptionChange() && !Objects.equals(before.description(), after.description())) {
            resolved.report(new Conflict(ConflictKind.FRONT_MATTER_CHANGE, culprit, null, SkillBundle.SKILL_MD,
                    "the front matter's description may not change in " + policy.mode().wire() + " mode"));
        }
    }

    private void checkLinks(ResolvedPatch resolved, SkillBundle result) {
        SkillBundle base = resolved.base;
        Set<String> baseLinks = base.derived("reference-links", b -> Set.copyOf(referenceLinks(b.text(SkillBundle.SKILL_MD))));
        Set<String> links = referenceLinks(result.text(SkillBundle.SKILL_MD));
        for (Map.Entry<String, Integer> c : resolved.creations.entrySet()) {
            String path = c.getKey();
            if (resolved.applies(c.getValue()) && SkillPaths.isReference(path) && !links.contains(path)) {
                resolved.report(new Conflict(ConflictKind.UNLINKED_REFERENCE, c.getValue(), null, path,
                        path + " is created but SKILL.md does not link it; add an edit to SKILL.md that mentions " + path));
            }
        }
        for (String link : links) {
            boolean danglingBefore = baseLinks.contains(link) && !base.has(link);
            if (!result.has(link) && !danglingBefore) {
                Integer culprit = resolved.deletions.get(link);
                if (culprit == null) {
                    culprit = firstEditMentioning(resolved, link);
                }
                resolved.report(new Conflict(ConflictKind.DANGLING_LINK, culprit, null, SkillBundle.SKILL_MD,
                        "SKILL.md links " + link + " but the file does not exist; create it in the same patch or drop the link"));
            }
        }
    }

    /** Paths under {@code references/} that a SKILL.md text mentions (links or inline paths). */
    static Set<String> referenceLinks(String skillMd) {
        Set<String> out = new TreeSet<>();
        if (!skillMd.contains("references/")) {
            return out; // every match contains it; the look-behind makes the scan itself slow
        }
        Matcher m = REFERENCE_LINK.matcher(skillMd);
        while (m.find()) {
            String link = m.group();
            if (link.length() > "references/".length()) {
                out.add(link);
            }
        }
        return out;
    }

    private static Integer firstEditOn(ResolvedPatch resolved, String file) {
        for (int i = 0; i < resolved.edits.size(); i++) {
            if (resolved.edits.get(i).path().equals(file)) {
                return i;
            }
        }
        return null;
    }

    private static Integer firstEditBefore(ResolvedPatch resolved, String file, int offset) {
        List<Splice> list = resolved.splices.getOrDefault(file, List.of());
        return list.stream().filter(s -> s.start() < offset).map(Splice::edit).min(Integer::compare).orElse(null);
    }

    private static Integer firstEditMentioning(ResolvedPatch resolved, String text) {
        for (int i = 0; i < resolved.edits.size(); i++) {
            String c = resolved.edits.get(i).content();
            if (c != null && c.contains(text)) {
                return i;
            }
        }
        return null;
    }
}
