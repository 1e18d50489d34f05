package dev.trace2skill.ingest.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's server-side drawings: the side-by-side rows of S0 and S*, and the merge tree as SVG (text escaped). */
class ConsoleViewsTest {
    @Test
    void sideBySidePairsUnchangedLinesAndMarksAddedRemovedAndChanged() {
        List<SideBySide.Row> rows = SideBySide.rows("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
        assertThat(rows).extracting(SideBySide.Row::kind).containsExactly("same", "changed", "same", "same", "added");
        assertThat(rows.get(1)).isEqualTo(new SideBySide.Row(2, "b", 2, "B", "changed"));
        assertThat(rows.get(4)).isEqualTo(new SideBySide.Row(0, null, 5, "e", "added"));
        assertThat(rows.get(4).changedRight()).isTrue();
        assertThat(rows.get(0).changedRight()).isFalse();
        assertThat(SideBySide.rows("x\ny\n", "y\n")).extracting(SideBySide.Row::kind).containsExactly("removed", "same");
        assertThat(SideBySide.rows(null, "new\n")).containsExactly(new SideBySide.Row(0, null, 1, "new", "added"));
    }

    @Test
    void mergeTreeIsAnSvgWithOneBoxPerNodeAndEveryTextEscaped() throws Exception {
        JsonNode tree = new ObjectMapper().readTree("""
                {"runId":"run-<script>","patches":4,"branching":2,"levels":2,"nodes":[
                 {"node":"L1-0","level":1,"inputs":["p1","p2"],"outputs":[{},{}],"engine":"union"},
                 {"node":"L1-1\\"><script>alert(1)</script>","level":1,"inputs":["p3","p4"],"outputs":[{}],"engine":"union",
                  "decisions":{"dropped":1}},
                 {"node":"L2-0","level":2,"inputs":["L1-0","L1-1\\"><script>alert(1)</script>"],"outputs":[{}],"engine":"<b>x</b>"}]}
                """);
        String svg = MergeTreeSvg.render(tree);
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>");
        assertThat(svg).doesNotContain("<script>").doesNotContain("<b>x</b>").contains("&lt;script&gt;");
        assertThat(svg.split("class=\"merge-node\"", -1)).hasSize(4);
        assertThat(svg).contains("1 dropped").contains("2 patches");
    }
}
