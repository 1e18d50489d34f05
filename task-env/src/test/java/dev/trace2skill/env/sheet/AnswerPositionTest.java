package dev.trace2skill.env.sheet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dataset's malformed answer positions, read as the benchmark reads them and normalised. */
class AnswerPositionTest {
    @Test
    void officialReading() {
        AnswerPosition.OfficialPart p = AnswerPosition.official("'Sheet1'!A1:B2").get(0);
        assertThat(p.sheet()).isEqualTo("Sheet1");
        assertThat(p.names()).containsExactly("A1", "A2", "B1", "B2"); // column by column, as the benchmark
        assertThat(AnswerPosition.official("'Sheet1!'A1:A50").get(0).sheet()).isEqualTo("Sheet1");
        assertThat(AnswerPosition.official("'99250!A1:F9'").get(0).names()).hasSize(54);
        assertThat(AnswerPosition.official("D1,D5,D9")).extracting(AnswerPosition.OfficialPart::names)
                .containsExactly(List.of("D1"), List.of("D5"), List.of("D9"));
        // 'b2b, sez, de'!A5:V10 is cut at its commas: "'b2b" is read as a cell name of the first sheet
        List<AnswerPosition.OfficialPart> commas = AnswerPosition.official("'b2b, sez, de'!A5:V10");
        assertThat(commas).hasSize(3);
        assertThat(commas.get(0).sheet()).isNull();
        assertThat(commas.get(0).names()).containsExactly("b2b");
        assertThat(AnswerPosition.openpyxlCell("b2b")).isNull();
        // A:G has no row number: int('') raises
        assertThat(AnswerPosition.official("Sheet3'!A:G").get(0).error()).contains("invalid literal for int()");
        // BD2:308: the end has no column (0), so no cells at all
        assertThat(AnswerPosition.official("'Sheet1'!BD2:308").get(0).names()).isEmpty();
        // " G11:G13": the space makes a negative column, names without letters, which are not cells
        List<String> spaced = AnswerPosition.official("G4:G6, G11:G13").get(1).names();
        assertThat(spaced).contains("11", "A11", "G13");
        assertThat(AnswerPosition.openpyxlCell("11")).isNull();
        assertThat(AnswerPosition.openpyxlCell("$B$7")).containsExactly(7, 2);
        assertThat(AnswerPosition.openpyxlCell("b7")).containsExactly(7, 2);
        assertThat(AnswerPosition.openpyxlCell("A0")).isNull();
        assertThat(AnswerPosition.openpyxlCell("A1048577")).isNull();
        assertThat(AnswerPosition.official("A1!B2!C3").get(0).error()).contains("more than one '!'");
    }

    @Test
    void lenientReading() {
        List<AnswerPosition.LenientPart> parts = AnswerPosition.lenient("\u00a0'Sheet1'!C2:C3, 'b2b, sez, de'!A5:V10,Sheet3'!A:G", null);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0).sheets()).containsExactly("Sheet1");
        assertThat(parts.get(0).box(100, 100)).containsExactly(3, 2, 3, 3);
        assertThat(parts.get(1).sheets()).containsExactly("b2b, sez, de");
        assertThat(parts.get(2).sheets()).containsExactly("Sheet3");
        assertThat(parts.get(2).box(40, 10)).containsExactly(1, 1, 7, 40);
        assertThat(AnswerPosition.lenient("'Sheet1'!BD2:308", null).get(0).box(0, 0)).containsExactly(56, 2, 56, 308);
        assertThat(AnswerPosition.lenient("$b$9:a1", null).get(0).box(0, 0)).containsExactly(1, 1, 2, 9);
        assertThat(AnswerPosition.lenient("A3:E11", "Consolidated Tracker,Existing Task").get(0).sheets())
                .containsExactly("Consolidated Tracker", "Existing Task");
        assertThat(AnswerPosition.lenient("'Sheet1'!!", null).get(0).error()).isNotNull();
    }
}
