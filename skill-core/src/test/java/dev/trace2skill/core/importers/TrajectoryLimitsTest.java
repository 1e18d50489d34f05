package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.TrajectoryLimits;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Size beyond bytes (issue 17): steps, characters per step, distinct tool names and JSON tokens per record, each a
 * rejection as too large (413) naming the field, and the upload goes on with the next record.
 */
class TrajectoryLimitsTest {
    static final String NEXT = "{\"id\":\"next\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[{\"action\":{\"tool\":\"a\"}}]}";

    /** A valid trajectory of {@code steps} small steps, each calling tool {@code prefix + i} (or one tool when prefix is null). */
    static String trajectory(String id, int steps, String prefix) {
        StringBuilder sb = new StringBuilder(steps * 48 + 100).append("{\"id\":\"").append(id)
                .append("\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[");
        for (int i = 0; i < steps; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"action\":{\"tool\":\"")
                    .append(prefix == null ? "search" : prefix + String.format("%05d", i)).append("\",\"arguments\":{}}}");
        }
        return sb.append("]}").toString();
    }

    static List<ImportRecord> read(String body, TrajectoriesShape shape, ImportOptions options) throws IOException {
        return TrajectoryImporters.readAll(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                shape == TrajectoriesShape.NDJSON, NativeImporter.FORMAT, options);
    }

    enum TrajectoriesShape { JSON, NDJSON }

    @Test
    void oneRecordOfTwoAndAHalfMillionSmallStepsIsRefusedWhileParsingNotBuilt() throws IOException {
        // the issue's 50 MB record of 2.5 million small steps, under a byte limit raised above it: only the token count
        // stops it (2 million tokens are the first 500,000 steps)
        StringBuilder sb = new StringBuilder(50_000_100).append("{\"id\":\"huge\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[");
        for (int i = 0; i < 2_500_000; i++) {
            sb.append(i == 0 ? "{\"observation\":\"x\"}" : ",{\"observation\":\"x\"}");
        }
        String huge = sb.append("]}").toString();
        assertThat(huge.length()).isBetween(50_000_000, 50_000_100);
        ImportOptions options = ImportOptions.defaults("t").withMaxRecordBytes(64L * 1024 * 1024);
        for (TrajectoriesShape shape : TrajectoriesShape.values()) {
            String body = shape == TrajectoriesShape.NDJSON ? huge + "\n" + NEXT + "\n" : "[" + huge + "," + NEXT + "]";
            List<ImportRecord> records = read(body, shape, options);
            assertThat(records).as(shape.name()).hasSize(2);
            assertThat(records.get(0).tooLarge()).isTrue();
            assertThat(records.get(0).errors().get(0).message()).contains("JSON tokens").contains("2000000");
            assertThat(records.get(1).ok()).as("the next record is read").isTrue();
            assertThat(records.get(1).trajectory().id()).isEqualTo("next");
        }
    }

    @Test
    void theIssuesTrajectoryOfSixtyThousandToolNamesIsTooLarge() throws IOException {
        String t = trajectory("many-tools", 60_000, "tool_");
        assertThat(t.length()).isBetween(2_800_000, 3_200_000);
        List<ImportRecord> records = read(t + "\n" + NEXT + "\n", TrajectoriesShape.NDJSON, ImportOptions.defaults("t"));
        assertThat(records.get(0).tooLarge()).isTrue();
        assertThat(records.get(0).errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("steps");
            assertThat(e.message()).isEqualTo("60000 steps; the limit is 10000 per trajectory");
        });
        assertThat(records.get(1).ok()).isTrue();
    }

    @Test
    void distinctToolNamesStepsAndStepCharactersAreEachBounded() throws IOException {
        ImportOptions options = ImportOptions.defaults("t").withLimits(new TrajectoryLimits(50, 500, 20, 100_000));
        List<ImportRecord> tools = read(trajectory("tools", 21, "t"), TrajectoriesShape.JSON, options);
        assertThat(tools.get(0).tooLarge()).isTrue();
        assertThat(tools.get(0).errors().get(0).field()).isEqualTo("steps[20].action.tool");
        assertThat(tools.get(0).errors().get(0).message()).contains("more than 20 distinct tool names");

        assertThat(read(trajectory("twenty", 20, "t"), TrajectoriesShape.JSON, options).get(0).ok()).isTrue();
        assertThat(read(trajectory("fifty", 50, null), TrajectoriesShape.JSON, options).get(0).ok()).isTrue();
        List<ImportRecord> steps = read(trajectory("fifty-one", 51, null), TrajectoriesShape.JSON, options);
        assertThat(steps.get(0).tooLarge()).isTrue();
        assertThat(steps.get(0).errors().get(0).field()).isEqualTo("steps");

        String longStep = "{\"id\":\"long\",\"query\":\"q\",\"outcome\":{\"success\":false},\"steps\":[{\"action\":{\"tool\":\"a\"}},"
                + "{\"reasoning\":\"" + "r".repeat(300) + "\",\"action\":{\"tool\":\"b\",\"arguments\":{\"x\":\"" + "y".repeat(150)
                + "\"}},\"observation\":\"" + "o".repeat(100) + "\"}]}";
        List<ImportRecord> chars = read(longStep, TrajectoriesShape.JSON, options);
        assertThat(chars.get(0).tooLarge()).isTrue();
        assertThat(chars.get(0).errors().get(0).field()).isEqualTo("steps[1]");
        assertThat(chars.get(0).errors().get(0).message()).endsWith("the limit is 500 per step");
    }

    @Test
    void tokensAreCountedPerRecordNotPerUpload() throws IOException {
        ImportOptions options = ImportOptions.defaults("t").withLimits(new TrajectoryLimits(10_000, 1_000_000, 1_000, 400));
        // each record has ~ 150 tokens: many of them together are fine, one of 200 steps is not
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            ndjson.append(trajectory("r" + i, 10, null)).append('\n');
        }
        ndjson.append(trajectory("big", 200, null)).append('\n').append(NEXT).append('\n');
        List<ImportRecord> records = read(ndjson.toString(), TrajectoriesShape.NDJSON, options);
        assertThat(records).hasSize(52);
        assertThat(records.subList(0, 50)).allMatch(ImportRecord::ok);
        assertThat(records.get(50).tooLarge()).isTrue();
        assertThat(records.get(51).ok()).isTrue();
    }
}
