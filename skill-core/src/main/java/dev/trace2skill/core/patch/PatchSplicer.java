package dev.trace2skill.core.patch;

import dev.trace2skill.core.patch.ResolvedPatch.Splice;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillMd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Splicing: applies the resolved edits that have no conflict to S0, all at once at S0's offsets, and records where
 * each edit's new text landed in the result.
 */
final class PatchSplicer {
    /** The spliced skill, and where each applied edit's new text is in it. */
    record Spliced(SkillBundle skill, List<EditSpan> spans) {
    }

    private final List<EditSpan> spans = new ArrayList<>();

    private PatchSplicer() {
    }

    static Spliced splice(ResolvedPatch resolved) {
        PatchSplicer splicer = new PatchSplicer();
        SkillBundle skill = splicer.build(resolved);
        return new Spliced(skill, List.copyOf(splicer.spans));
    }

    private SkillBundle build(ResolvedPatch resolved) {
        SkillBundle result = resolved.base;
        for (Map.Entry<String, List<Splice>> entry : resolved.splices.entrySet()) {
            String path = entry.getKey();
            List<Splice> valid = entry.getValue().stream().filter(s -> resolved.applies(s.edit())).toList();
            if (!valid.isEmpty()) {
                result = result.withText(path, spliceText(path, resolved.texts.get(path), valid));
            }
        }
        for (Map.Entry<String, Integer> c : resolved.creations.entrySet()) {
            if (resolved.applies(c.getValue())) {
                String content = resolved.createdContent.get(c.getKey());
                result = result.withText(c.getKey(), content);
                spans.add(new EditSpan(c.getValue(), c.getKey(), 0, SkillMd.lineCount(content)));
            }
        }
        for (Map.Entry<String, Integer> d : resolved.deletions.entrySet()) {
            if (resolved.applies(d.getValue())) {
                result = result.without(d.getKey());
            }
        }
        return result;
    }

    private String spliceText(String path, String text, List<Splice> list) {
        List<Splice> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(Splice::start)
                .thenComparingInt(s -> s.end() > s.start() ? 1 : 0)
                .thenComparingInt(Splice::order)
                .thenComparing(Splice::dependent)
                .thenComparingInt(Splice::edit));
        StringBuilder out = new StringBuilder(text.length() + 256);
        List<int[]> raw = new ArrayList<>();
        int cursor = 0;
        for (Splice s : sorted) {
            if (s.start() < cursor) {
                throw new IllegalStateException("overlapping splices slipped through in " + path);
            }
            out.append(text, cursor, s.start());
            int outStart = out.length();
            out.append(s.text());
            if (!s.text().isBlank()) {
                int lead = 0;
                while (lead < s.text().length() && s.text().charAt(lead) == '\n') {
                    lead++;
                }
                raw.add(new int[]{s.edit(), outStart + lead, out.length()});
            }
            cursor = s.end();
        }
        out.append(text, cursor, text.length());
        String result = out.toString();
        for (int[] r : raw) {
            spans.add(new EditSpan(r[0], path, lineOf(result, r[1]), lineOf(result, Math.max(r[1], r[2] - 1)) + 1));
        }
        return result;
    }

    private static int lineOf(String text, int offset) {
        int line = 0;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
