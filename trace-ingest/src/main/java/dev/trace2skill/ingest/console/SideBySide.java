package dev.trace2skill.ingest.console;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.DeltaType;

import java.util.ArrayList;
import java.util.List;

/**
 * Two versions of a file side by side: rows of (old line, new line), numbered as the provenance numbers them (1-based,
 * {@code String.lines()}), unchanged lines on both sides, removed lines on the left only, added lines on the right only,
 * changed blocks paired row by row.
 */
public final class SideBySide {
    private SideBySide() {
    }

    /**
     * @param left  line number in the old file, or 0
     * @param right line number in the new file, or 0
     * @param kind  same, removed, added or changed
     */
    public record Row(int left, String leftText, int right, String rightText, String kind) {
        public boolean changedRight() {
            return right > 0 && !kind.equals("same");
        }

        public boolean changedLeft() {
            return left > 0 && !kind.equals("same");
        }
    }

    public static List<Row> rows(String before, String after) {
        List<String> a = before == null ? List.of() : before.lines().toList();
        List<String> b = after == null ? List.of() : after.lines().toList();
        List<Row> rows = new ArrayList<>();
        int i = 0;
        int j = 0;
        for (AbstractDelta<String> d : DiffUtils.diff(a, b).getDeltas()) {
            int src = d.getSource().getPosition();
            int tgt = d.getTarget().getPosition();
            while (i < src && j < tgt) {
                rows.add(new Row(i + 1, a.get(i), j + 1, b.get(j), "same"));
                i++;
                j++;
            }
            List<String> removed = d.getSource().getLines();
            List<String> added = d.getTarget().getLines();
            if (d.getType() == DeltaType.CHANGE) {
                int n = Math.max(removed.size(), added.size());
                for (int k = 0; k < n; k++) {
                    boolean l = k < removed.size();
                    boolean r = k < added.size();
                    rows.add(new Row(l ? src + k + 1 : 0, l ? removed.get(k) : null, r ? tgt + k + 1 : 0, r ? added.get(k) : null,
                            l && r ? "changed" : l ? "removed" : "added"));
                }
            } else {
                for (int k = 0; k < removed.size(); k++) {
                    rows.add(new Row(src + k + 1, removed.get(k), 0, null, "removed"));
                }
                for (int k = 0; k < added.size(); k++) {
                    rows.add(new Row(0, null, tgt + k + 1, added.get(k), "added"));
                }
            }
            i = src + removed.size();
            j = tgt + added.size();
        }
        while (i < a.size() && j < b.size()) {
            rows.add(new Row(i + 1, a.get(i), j + 1, b.get(j), "same"));
            i++;
            j++;
        }
        while (i < a.size()) {
            rows.add(new Row(i + 1, a.get(i), 0, null, "removed"));
            i++;
        }
        while (j < b.size()) {
            rows.add(new Row(0, null, j + 1, b.get(j), "added"));
            j++;
        }
        return rows;
    }
}
