package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillMd;
import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Re-anchors an edit whose {@code target_section} or {@code target_text} does not match S0 exactly to the closest
 * S0 passage, but only when the match is unambiguous: the best candidate must be similar enough and clearly better
 * than the runner-up. Otherwise the caller drops the edit with the returned reason.
 */
public final class Reanchor {
    /** Least similarity (1 − normalised edit distance) a passage must reach. */
    public static final double MIN_SIMILARITY = 0.8;
    /** How much the best candidate must beat the second best by. */
    public static final double MIN_MARGIN = 0.05;
    private static final int MAX_COMPARE = 2_000;

    private Reanchor() {
    }

    /** The outcome: the re-anchored edit, or why it could not be re-anchored. */
    public record Outcome(Optional<Edit> edit, String explanation) {
    }

    public static Outcome reanchor(Edit edit, SkillBundle s0) {
        String path = edit.path();
        if (!s0.has(path) || !s0.isText(path)) {
            return new Outcome(Optional.empty(), path + " does not exist in S0");
        }
        String text = s0.text(path);
        List<Section> sections = sections(path, text);
        String section = edit.targetSection();
        Section scope = null;
        StringBuilder how = new StringBuilder();
        if (section != null && !section.isBlank() && edit.op() != dev.trace2skill.core.patch.EditOp.ADD_SECTION) {
            String wanted = Section.normalizeTitle(section);
            scope = sections.stream().filter(s -> Section.normalizeTitle(s.title()).equals(wanted)).findFirst().orElse(null);
            if (scope == null) {
                Best best = best(wanted, sections.stream().map(s -> Section.normalizeTitle(s.title())).toList());
                if (!best.acceptable()) {
                    return new Outcome(Optional.empty(), "no S0 section close enough to '" + section.strip() + "' (" + best.describe() + ")");
                }
                scope = sections.stream().filter(s -> Section.normalizeTitle(s.title()).equals(best.candidate)).findFirst().orElseThrow();
                section = scope.title();
                how.append("section '").append(edit.targetSection().strip()).append("' → '").append(section).append("'");
            }
        }
        String target = edit.targetText();
        if (target != null && !target.isEmpty()) {
            int from = scope == null ? 0 : scope.start();
            int to = scope == null ? text.length() : scope.end();
            String region = text.substring(from, to);
            if (count(region, target) != 1) {
                List<Passage> passages = passages(region, target);
                Best best = bestPassage(normalize(target), passages);
                if (!best.acceptable()) {
                    return new Outcome(Optional.empty(), "target_text has no unambiguous close match in S0 (" + best.describe() + ")");
                }
                String passage = passages.get(best.index).text();
                if (count(region, passage) != 1) {
                    return new Outcome(Optional.empty(), "the closest S0 passage occurs more than once: \"" + abbreviate(passage) + "\"");
                }
                if (!how.isEmpty()) {
                    how.append("; ");
                }
                how.append(String.format(Locale.ROOT, "target_text → \"%s\" (similarity %.2f)", abbreviate(passage), best.similarity));
                target = passage;
            }
        }
        if (how.isEmpty()) {
            return new Outcome(Optional.of(edit), "already anchored");
        }
        return new Outcome(Optional.of(edit.withTarget(section, target)), how.toString());
    }

    private record Best(int index, String candidate, double similarity, double runnerUp) {
        boolean acceptable() {
            return index >= 0 && similarity >= MIN_SIMILARITY && similarity - runnerUp >= MIN_MARGIN;
        }

        String describe() {
            return index < 0 ? "no candidates" : String.format(Locale.ROOT, "best similarity %.2f, runner-up %.2f", similarity, runnerUp);
        }
    }

    private static Best best(String wanted, List<String> candidates) {
        int bestIndex = -1;
        double best = -1;
        double second = -1;
        for (int i = 0; i < candidates.size(); i++) {
            double s = similarity(wanted, candidates.get(i));
            if (s > best) {
                second = best;
                best = s;
                bestIndex = i;
            } else if (s > second && !candidates.get(i).equals(candidates.get(bestIndex))) {
                second = s;
            }
        }
        return new Best(bestIndex, bestIndex < 0 ? null : candidates.get(bestIndex), best, Math.max(0, second));
    }

    /**
     * 1 − edit distance / longer length. Values below {@code MIN_SIMILARITY − MIN_MARGIN} only matter as "too low",
     * so the distance is computed with that bound (O(n·k) instead of O(n·m)) and such values come back as 0.
     */
    static double similarity(String a, String b) {
        String x = a.length() > MAX_COMPARE ? a.substring(0, MAX_COMPARE) : a;
        String y = b.length() > MAX_COMPARE ? b.substring(0, MAX_COMPARE) : b;
        int max = Math.max(x.length(), y.length());
        if (max == 0) {
            return 1;
        }
        int bound = (int) Math.floor((1 - (MIN_SIMILARITY - MIN_MARGIN)) * max);
        if (Math.abs(x.length() - y.length()) > bound) {
            return 0;
        }
        int distance = new LevenshteinDistance(bound).apply(x, y);
        return distance < 0 ? 0 : 1.0 - (double) distance / max;
    }

    /** A candidate passage of the region and where it lies, so overlapping candidates count as one place. */
    private record Passage(String text, int start, int end) {
        boolean overlaps(Passage o) {
            return start < o.end && o.start < end;
        }
    }

    /**
     * Best match by similarity; the runner-up is the best candidate that does not overlap it, so that a line and
     * a fragment of the same line never make a match look ambiguous.
     */
    private static Best bestPassage(String wanted, List<Passage> passages) {
        int bestIndex = -1;
        double best = -1;
        double[] sims = new double[passages.size()];
        for (int i = 0; i < passages.size(); i++) {
            sims[i] = similarity(wanted, normalize(passages.get(i).text()));
            if (sims[i] > best) {
                best = sims[i];
                bestIndex = i;
            }
        }
        double second = 0;
        for (int i = 0; i < passages.size(); i++) {
            if (bestIndex >= 0 && !passages.get(i).overlaps(passages.get(bestIndex))) {
                second = Math.max(second, sims[i]);
            }
        }
        return new Best(bestIndex, bestIndex < 0 ? null : passages.get(bestIndex).text(), best, second);
    }

    /** Candidate passages: windows of whole lines with as many lines as the target (±1), and fragments of lines. */
    private static List<Passage> passages(String region, String target) {
        List<String> lines = region.lines().toList();
        int[] starts = new int[lines.size()];
        for (int i = 0, at = 0; i < lines.size(); i++) {
            starts[i] = at;
            at += lines.get(i).length() + 1;
        }
        int n = Math.max(1, (int) target.strip().lines().count());
        List<Passage> out = new ArrayList<>();
        for (int size = Math.max(1, n - 1); size <= n + 1; size++) {
            for (int i = 0; i + size <= lines.size(); i++) {
                String window = String.join("\n", lines.subList(i, i + size));
                if (!window.isBlank()) {
                    out.add(new Passage(window, starts[i], starts[i] + window.length()));
                }
            }
        }
        if (n == 1) {
            int len = target.strip().length();
            for (int l = 0; l < lines.size(); l++) {
                String line = lines.get(l);
                for (int i = 0; len > 0 && i + len <= line.length() && line.length() > len; i += Math.max(1, len / 4)) {
                    out.add(new Passage(line.substring(i, i + len), starts[l] + i, starts[l] + i + len));
                }
            }
        }
        return out;
    }

    private static List<Section> sections(String path, String text) {
        if (!path.endsWith(".md")) {
            return List.of();
        }
        if (path.equals(SkillBundle.SKILL_MD)) {
            SkillMd md = SkillMd.parse(text);
            return MarkdownSections.parse(md.body()).stream().map(s -> s.shift(md.bodyOffset(), md.bodyLineOffset())).toList();
        }
        return MarkdownSections.parse(text);
    }

    static String normalize(String s) {
        return s.strip().replaceAll("[*_`]", "").replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static int count(String text, String target) {
        int n = 0;
        int i = -1;
        while ((i = text.indexOf(target, i + 1)) >= 0) {
            n++;
        }
        return n;
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= 60 ? one : one.substring(0, 60) + "…";
    }
}
