package dev.trace2skill.core.merge;

import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillLimits;
import dev.trace2skill.core.skill.SkillMd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Brings S* within the size limits: while the SKILL.md body is too long, its largest section moves into a
 * reference file and leaves a link behind; a reference file that is too long is split into linked parts.
 */
public final class SkillFitter {
    private SkillFitter() {
    }

    /** The fitted skill and a line per move, for the changelog. */
    public record Output(SkillBundle skill, List<String> moves) {
    }

    public static Output fit(SkillBundle skill, SkillLimits limits) {
        List<String> moves = new ArrayList<>();
        SkillBundle current = skill;
        List<String> moved = new ArrayList<>();
        while (current.skillMd().bodyLines() > limits.maxBodyLines()) {
            SkillMd md = current.skillMd();
            String body = md.body();
            List<Section> candidates = MarkdownSections.parse(body).stream()
                    .filter(s -> s.level() >= 2 && !moved.contains(s.title()))
                    .sorted(Comparator.comparingInt((Section s) -> -(SkillMd.lineCount(body.substring(s.start(), s.end()))))
                            .thenComparingInt(Section::start))
                    .toList();
            if (candidates.isEmpty()) {
                moves.add("could not fit the body: no section left to move");
                break;
            }
            Section s = candidates.get(0);
            String file = freeName(current, slug(s.title()));
            String sectionText = body.substring(s.start(), s.end());
            String heading = body.substring(s.start(), s.headingEnd());
            String stub = heading + "\nMoved to " + file + " to keep SKILL.md within " + limits.maxBodyLines() + " lines.\n\n";
            String text = current.text(SkillBundle.SKILL_MD);
            String newText = text.substring(0, md.bodyOffset() + s.start()) + stub + text.substring(md.bodyOffset() + s.end());
            current = current.withText(SkillBundle.SKILL_MD, newText).withText(file, sectionText.strip() + "\n");
            moved.add(s.title());
            moves.add("moved section '" + s.title() + "' (" + SkillMd.lineCount(sectionText) + " lines) to " + file);
        }
        for (String path : List.copyOf(current.paths())) {
            if (path.startsWith("references/") && current.isText(path) && SkillMd.lineCount(current.text(path)) > limits.maxReferenceLines()) {
                current = split(current, path, limits.maxReferenceLines(), moves);
            }
        }
        return new Output(current, moves);
    }

    private static SkillBundle split(SkillBundle bundle, String path, int max, List<String> moves) {
        List<String> lines = bundle.text(path).lines().toList();
        int per = Math.max(1, max - 2);
        String base = path.substring(0, path.length() - (path.endsWith(".md") ? 3 : 0));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += per) {
            parts.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + per))));
        }
        SkillBundle out = bundle;
        for (int p = 0; p < parts.size(); p++) {
            String name = p == 0 ? path : base + "-" + (p + 1) + ".md";
            String next = p + 1 < parts.size() ? "\n\nContinued in " + base + "-" + (p + 2) + ".md\n" : "\n";
            out = out.withText(name, parts.get(p) + next);
        }
        moves.add("split " + path + " (" + lines.size() + " lines) into " + parts.size() + " parts");
        return out;
    }

    static String slug(String title) {
        String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "section" : s.length() > 60 ? s.substring(0, 60) : s;
    }

    private static String freeName(SkillBundle b, String slug) {
        String name = "references/" + slug + ".md";
        for (int i = 2; b.has(name); i++) {
            name = "references/" + slug + "-" + i + ".md";
        }
        return name;
    }
}
