package dev.trace2skill.ingest.console;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The merge tree as a picture (SVG, drawn here from the merger's merge-tree JSON): one row per level, the root on top,
 * each level-1 node over the number of analysts' patches it merged; each node shows its id, the edits it wrote and
 * what it dropped, with the details in its tooltip. Every text is escaped.
 */
public final class MergeTreeSvg {
    private static final int W = 132;
    private static final int H = 46;
    private static final int ROW = 92;
    private static final int PAD = 16;

    private MergeTreeSvg() {
    }

    record Box(String id, int level, double x, JsonNode node, List<String> inputs) {
    }

    public static String render(JsonNode tree) {
        List<JsonNode> nodes = new ArrayList<>();
        tree.path("nodes").forEach(nodes::add);
        int levels = Math.max(1, tree.path("levels").asInt(1));
        Map<String, Box> boxes = new HashMap<>();
        List<JsonNode> level1 = nodes.stream().filter(n -> n.path("level").asInt() == 1).toList();
        int columns = Math.max(1, level1.size());
        double width = columns * (W + PAD) + PAD;
        for (int i = 0; i < level1.size(); i++) {
            JsonNode n = level1.get(i);
            boxes.put(n.path("node").asText(), new Box(n.path("node").asText(), 1, PAD + i * (W + PAD), n, inputs(n)));
        }
        for (int level = 2; level <= levels; level++) {
            int l = level;
            List<JsonNode> row = nodes.stream().filter(n -> n.path("level").asInt() == l).toList();
            for (int i = 0; i < row.size(); i++) {
                JsonNode n = row.get(i);
                List<String> in = inputs(n);
                double x = in.stream().map(boxes::get).filter(b -> b != null).mapToDouble(Box::x).average()
                        .orElse(PAD + i * (W + PAD));
                boxes.put(n.path("node").asText(), new Box(n.path("node").asText(), level, x, n, in));
            }
        }
        double height = (levels + 1) * ROW + PAD;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
                + " role=\"img\" aria-label=\"merge tree\" font-family=\"sans-serif\" font-size=\"12\">", width, height, width, height));
        svg.append("<title>Merge tree of run ").append(esc(tree.path("runId").asText())).append(": ")
                .append(tree.path("patches").asInt()).append(" patches, B = ").append(tree.path("branching").asInt())
                .append(", ").append(levels).append(" level(s)</title>");
        // edges first, under the boxes
        for (Box b : boxes.values()) {
            double y = y(b.level(), levels);
            if (b.level() == 1) {
                svg.append(line(b.x() + W / 2.0, y + H, b.x() + W / 2.0, y(0, levels)));
            } else {
                for (String in : b.inputs()) {
                    Box child = boxes.get(in);
                    if (child != null) {
                        svg.append(line(b.x() + W / 2.0, y + H, child.x() + W / 2.0, y(child.level(), levels)));
                    }
                }
            }
        }
        for (Box b : boxes.values()) {
            double y = y(b.level(), levels);
            JsonNode n = b.node();
            int outputs = n.path("outputs").size();
            int dropped = n.path("decisions").path("dropped").asInt(0);
            String fill = n.path("fallback").asBoolean() ? "#fde7c8" : b.level() == levels ? "#d6ecd2" : "#dde8f6";
            svg.append("<g class=\"merge-node\" data-node=\"").append(esc(b.id())).append("\">");
            svg.append("<title>").append(esc(b.id())).append(" (level ").append(b.level()).append("): ").append(b.inputs().size())
                    .append(" inputs, ").append(outputs).append(" edits out, ").append(dropped).append(" dropped; engine ")
                    .append(esc(n.path("engine").asText())).append(n.path("fallback").asBoolean() ? " (fallback)" : "")
                    .append(", repairs ").append(n.path("repairs").asInt()).append(", tokens ")
                    .append(n.path("tokens").path("prompt").asLong() + n.path("tokens").path("completion").asLong())
                    .append(n.path("rejectedAttributions").isArray() ? ", " + n.path("rejectedAttributions").size() + " rejected attributions" : "")
                    .append("</title>");
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" stroke=\"#4a5a70\"/>",
                    b.x(), y, W, H, fill));
            svg.append(text(b.x() + W / 2.0, y + 18, b.id(), "bold"));
            svg.append(text(b.x() + W / 2.0, y + 35, outputs + " edits" + (dropped > 0 ? ", " + dropped + " dropped" : ""), null));
            svg.append("</g>");
            if (b.level() == 1) {
                double py = y(0, levels);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"#f4f4f4\" stroke=\"#999\" stroke-dasharray=\"3 2\"/>",
                        b.x() + 16, py, W - 32, 28));
                svg.append(text(b.x() + W / 2.0, py + 18, b.inputs().size() + " patches", null));
            }
        }
        svg.append("</svg>");
        return svg.toString();
    }

    private static List<String> inputs(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.path("inputs").forEach(i -> out.add(i.asText()));
        return out;
    }

    /** Level 0 (the patches) at the bottom, the root level at the top. */
    private static double y(int level, int levels) {
        return PAD + (levels - level) * ROW;
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#8795a8\"/>", x1, y1, x2, y2);
    }

    private static String text(double x, double y, String s, String weight) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>%s</text>", x, y,
                weight == null ? "" : " font-weight=\"" + weight + "\"", esc(s));
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return b.toString();
    }
}
