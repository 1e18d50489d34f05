package dev.trace2skill.core.skill;

import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.core.trajectory.TrajectoryText;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The whole skill folder as an analyst sees it: an index of its files, and the files a trajectory's steps touch on.
 *
 * <p>A file (other than SKILL.md, which analysts get whole) is <b>touched on</b> by a trajectory when
 * <ol>
 *   <li><b>named</b>: a step's tool call names its path in an argument (e.g. {@code read_reference} with
 *       {@code references/sql.md}), or a step's reasoning names it; or</li>
 *   <li><b>linked for a tool used</b>: a section of SKILL.md mentions a tool the trajectory called and links to (names)
 *       the file, so the agent was pointed at it for what it did.</li>
 * </ol>
 * Named files come first (in step order), then linked ones (in the order of the steps whose tools led to them).
 */
public final class SkillFiles {
    /** One file of the index. */
    public record Entry(String path, int lines, int bytes, boolean text, String title) {
    }

    /** A file a trajectory touched on, and why it counts. */
    public record Touched(String path, String why) {
    }

    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");

    private SkillFiles() {
    }

    /** Every file, SKILL.md first, then by path: lines and size, and a Markdown file's first heading. */
    public static List<Entry> index(SkillBundle skill) {
        List<Entry> out = new ArrayList<>();
        List<String> paths = new ArrayList<>(skill.paths());
        paths.sort((a, b) -> a.equals(SkillBundle.SKILL_MD) ? -1 : b.equals(SkillBundle.SKILL_MD) ? 1 : a.compareTo(b));
        for (String p : paths) {
            boolean text = skill.isText(p);
            String title = null;
            int lines = 0;
            if (text) {
                String content = skill.text(p);
                lines = SkillMd.lineCount(content);
                if (SkillPaths.isMarkdown(p)) {
                    var m = HEADING.matcher(p.equals(SkillBundle.SKILL_MD) ? skill.skillMd().body() : content);
                    title = m.find() ? m.group(1) : null;
                }
            }
            out.add(new Entry(p, lines, skill.size(p), text, title));
        }
        return out;
    }

    /** The index as a list for a prompt: {@code - references/sql.md (120 lines): SQL pitfalls}. */
    public static String renderIndex(SkillBundle skill) {
        return skill.derived("files-index", SkillFiles::renderIndexOf); // a bundle is immutable: rendered once
    }

    private static String renderIndexOf(SkillBundle skill) {
        StringBuilder sb = new StringBuilder();
        for (Entry e : index(skill)) {
            sb.append("- ").append(e.path()).append(" (")
                    .append(e.text() ? e.lines() + (e.lines() == 1 ? " line" : " lines") : e.bytes() + " bytes, binary").append(')');
            if (e.title() != null) {
                sb.append(": ").append(e.title());
            }
            sb.append('\n');
        }
        return sb.isEmpty() ? "(no files)\n" : sb.toString();
    }

    /** The text files other than SKILL.md that the trajectory touched on, in the order described above. */
    public static List<Touched> touchedBy(SkillBundle skill, Trajectory trajectory) {
        List<String> candidates = skill.paths().stream().filter(p -> !p.equals(SkillBundle.SKILL_MD) && skill.isText(p)).sorted().toList();
        Map<String, String> out = new LinkedHashMap<>();
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<Step> steps = trajectory.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String args = s.action() == null || s.action().arguments() == null ? "" : s.action().arguments().toString();
            for (String p : candidates) {
                if (out.containsKey(p)) {
                    continue;
                }
                if (args.contains(p)) {
                    out.put(p, "named by " + s.action().tool() + " in step " + (i + 1));
                } else if (s.reasoning() != null && s.reasoning().contains(p)) {
                    out.put(p, "named in the reasoning of step " + (i + 1));
                }
            }
        }
        if (skill.has(SkillBundle.SKILL_MD)) {
            String body = skill.skillMd().body();
            List<Section> sections = new ArrayList<>(MarkdownSections.parse(body));
            int firstHeading = sections.isEmpty() ? body.length() : sections.get(0).start();
            if (firstHeading > 0) {
                // the text above the first heading, as a section of its own
                sections.add(0, new Section("(top of SKILL.md)", 0, 0, 0, firstHeading, firstHeading, 0));
            }
            Set<String> tools = new LinkedHashSet<>();
            Map<String, Integer> firstUse = new LinkedHashMap<>();
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i).action() != null && steps.get(i).action().tool() != null) {
                    String tool = steps.get(i).action().tool();
                    if (tools.add(tool)) {
                        firstUse.put(tool, i + 1);
                    }
                }
            }
            for (String tool : tools) {
                if (tool.length() < 3) {
                    continue;
                }
                Pattern word = Pattern.compile("(?<![\\p{L}\\p{N}_])" + Pattern.quote(tool.toLowerCase(Locale.ROOT)) + "(?![\\p{L}\\p{N}_])");
                for (Section sec : sections) {
                    String text = body.substring(sec.start(), sec.ownEnd());
                    if (!word.matcher(text.toLowerCase(Locale.ROOT)).find()) {
                        continue;
                    }
                    for (String p : candidates) {
                        if (!out.containsKey(p) && text.contains(p)) {
                            out.put(p, "linked from the SKILL.md section '" + sec.title() + "', which covers " + tool
                                    + " (used in step " + firstUse.get(tool) + ")");
                        }
                    }
                }
            }
        }
        List<Touched> touched = new ArrayList<>();
        out.forEach((p, why) -> touched.add(new Touched(p, why)));
        return touched;
    }

    /**
     * The touched files' texts for a prompt, each in a {@code <file>} element, within a token budget (characters / 4):
     * whole files while they fit, then one file cut to what is left (when at least 100 tokens are), and the rest named
     * as left out.
     */
    public static String render(SkillBundle skill, List<Touched> touched, int maxTokens) {
        if (touched.isEmpty()) {
            return "(none)\n";
        }
        StringBuilder sb = new StringBuilder();
        List<String> leftOut = new ArrayList<>();
        int remaining = maxTokens;
        for (Touched t : touched) {
            String text = skill.text(t.path());
            int cost = TrajectoryText.estimateTokens(text);
            String shown;
            if (cost <= remaining) {
                shown = text;
            } else if (remaining >= 100) {
                shown = TrajectoryText.truncate(text, remaining);
            } else {
                leftOut.add(t.path());
                continue;
            }
            remaining -= Math.min(remaining, TrajectoryText.estimateTokens(shown));
            sb.append("<file path=\"").append(t.path()).append("\" why=\"").append(t.why().replace("\"", "'")).append("\">\n")
                    .append(shown.replace("</file>", "<\\/file>"));
            if (!shown.endsWith("\n")) {
                sb.append('\n');
            }
            sb.append("</file>\n");
        }
        if (!leftOut.isEmpty()) {
            sb.append("(left out for the budget of ").append(maxTokens).append(" tokens: ").append(String.join(", ", leftOut)).append(")\n");
        }
        return sb.toString();
    }
}
