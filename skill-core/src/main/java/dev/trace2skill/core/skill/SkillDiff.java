package dev.trace2skill.core.skill;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/** Unified diffs (git style, {@code a/} and {@code b/} prefixes) between two versions of a skill. */
public final class SkillDiff {
    public static final int CONTEXT_LINES = 3;

    private SkillDiff() {
    }

    public static String unified(SkillBundle from, SkillBundle to) {
        TreeSet<String> paths = new TreeSet<>(from.paths());
        paths.addAll(to.paths());
        StringBuilder out = new StringBuilder();
        for (String path : paths) {
            boolean inFrom = from.has(path);
            boolean inTo = to.has(path);
            if (inFrom && inTo && Arrays.equals(from.bytes(path), to.bytes(path))) {
                continue;
            }
            if ((inFrom && !from.isText(path)) || (inTo && !to.isText(path))) {
                out.append("diff --git a/").append(path).append(" b/").append(path).append('\n');
                out.append("Binary files ").append(inFrom ? "a/" + path : "/dev/null").append(" and ")
                        .append(inTo ? "b/" + path : "/dev/null").append(" differ\n");
                continue;
            }
            List<String> original = inFrom ? lines(from.text(path)) : List.of();
            List<String> revised = inTo ? lines(to.text(path)) : List.of();
            out.append("diff --git a/").append(path).append(" b/").append(path).append('\n');
            if (!inFrom || !inTo) {
                wholeFile(out, path, inFrom ? original : revised, inTo);
                continue;
            }
            Patch<String> patch = DiffUtils.diff(original, revised);
            for (String line : UnifiedDiffUtils.generateUnifiedDiff("a/" + path, "b/" + path, original, patch, CONTEXT_LINES)) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** An added or removed file, with GNU diff's {@code 0,0} range for the empty side (as {@code git apply} expects). */
    private static void wholeFile(StringBuilder out, String path, List<String> lines, boolean added) {
        out.append(added ? "--- /dev/null\n+++ b/" + path : "--- a/" + path + "\n+++ /dev/null").append('\n');
        if (lines.isEmpty()) {
            return;
        }
        String range = "1," + lines.size();
        out.append(added ? "@@ -0,0 +" + range + " @@" : "@@ -" + range + " +0,0 @@").append('\n');
        for (String line : lines) {
            out.append(added ? '+' : '-').append(line).append('\n');
        }
    }

    /** Paths that were added, removed or changed between the two versions. */
    public static List<String> changedPaths(SkillBundle from, SkillBundle to) {
        TreeSet<String> paths = new TreeSet<>(from.paths());
        paths.addAll(to.paths());
        List<String> changed = new ArrayList<>();
        for (String p : paths) {
            if (!from.has(p) || !to.has(p) || !Arrays.equals(from.bytes(p), to.bytes(p))) {
                changed.add(p);
            }
        }
        return changed;
    }

    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (text.endsWith("\n")) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
