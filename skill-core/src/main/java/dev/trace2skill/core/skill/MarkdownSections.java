package dev.trace2skill.core.skill;

import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Heading;
import org.commonmark.node.Node;
import org.commonmark.node.SourceSpan;
import org.commonmark.node.Text;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the sections of a Markdown text with a CommonMark parser, so that {@code #} inside code fences or
 * indented code is not mistaken for a heading.
 */
public final class MarkdownSections {
    private static final Parser PARSER = Parser.builder().includeSourceSpans(IncludeSourceSpans.BLOCKS).build();

    private MarkdownSections() {
    }

    public static List<Section> parse(String text) {
        Node document = PARSER.parse(text);
        int[] lineStarts = lineStarts(text);
        List<int[]> headings = new ArrayList<>(); // {level, line, lastLine}
        List<String> titles = new ArrayList<>();
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                List<SourceSpan> spans = heading.getSourceSpans();
                if (spans.isEmpty()) {
                    return;
                }
                int first = spans.get(0).getLineIndex();
                int last = spans.get(spans.size() - 1).getLineIndex();
                headings.add(new int[]{heading.getLevel(), first, last});
                titles.add(plainText(heading));
            }
        });
        List<Section> sections = new ArrayList<>(headings.size());
        for (int i = 0; i < headings.size(); i++) {
            int[] h = headings.get(i);
            int end = text.length();
            int ownEnd = i + 1 < headings.size() ? lineStarts[headings.get(i + 1)[1]] : text.length();
            for (int j = i + 1; j < headings.size(); j++) {
                if (headings.get(j)[0] <= h[0]) {
                    end = lineStarts[headings.get(j)[1]];
                    break;
                }
            }
            int headingEnd = h[2] + 1 < lineStarts.length ? lineStarts[h[2] + 1] : text.length();
            sections.add(new Section(titles.get(i), h[0], lineStarts[h[1]], headingEnd, end, Math.min(ownEnd, end), h[1]));
        }
        return sections;
    }

    /** Top-level sections: those of the smallest heading level present. */
    public static List<Section> topLevel(String text) {
        List<Section> all = parse(text);
        int min = all.stream().mapToInt(Section::level).min().orElse(0);
        return all.stream().filter(s -> s.level() == min).toList();
    }

    static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && i + 1 < text.length()) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String plainText(Node node) {
        StringBuilder sb = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text text) {
                sb.append(text.getLiteral());
            }

            @Override
            public void visit(org.commonmark.node.Code code) {
                sb.append(code.getLiteral());
            }
        });
        return sb.toString().strip();
    }
}
