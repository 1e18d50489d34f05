package dev.trace2skill.core.importers;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON scanner: records are measured as their bytes stream in, so an oversized one is skipped and the next read. */
class RecordSourceTest {
    static List<RawRecord> json(String text, long max, int chunk) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        List<RawRecord> out = new ArrayList<>();
        RecordSource.json(in, Set.of("id", "query"), max, out::add);
        return out;
    }

    @Test
    void oversizedRecordsAreSkippedAndTheStreamGoesOnInEveryShape() throws IOException {
        String big = "{\"id\": \"big\", \"query\": \"" + "é\\\"[{".repeat(500) + "\"}";
        for (int chunk : new int[]{1, 3, 64, 8192}) {
            List<RawRecord> arr = json("[{\"id\": \"a\"}, " + big + ", {\"id\": \"b\"}]", 1_000, chunk);
            assertThat(arr).as("array, chunks of " + chunk).extracting(RawRecord::tooLarge).containsExactly(false, true, false);
            assertThat(arr.get(1).bytes()).isEqualTo(big.getBytes(StandardCharsets.UTF_8).length);
            assertThat(arr.get(2).node().get("id").asText()).isEqualTo("b");

            List<RawRecord> keyed = json("{\"k1\": {\"x\": 1}, \"k2\": " + big + ", \"k\\\"3\": {\"x\": 3}}", 1_000, chunk);
            assertThat(keyed).as("keyed, chunks of " + chunk).extracting(RawRecord::key).containsExactly("k1", "k2", "k\"3");
            assertThat(keyed).extracting(RawRecord::tooLarge).containsExactly(false, true, false);

            List<RawRecord> concatenated = json(big + "\n{\"id\": \"c\"}\n", 1_000, chunk);
            assertThat(concatenated).extracting(RawRecord::tooLarge).containsExactly(true, false);
            assertThat(concatenated.get(1).node().get("id").asText()).isEqualTo("c");
        }
    }

    @Test
    void badJsonInsideARecordIsReportedAndTheNextRecordRead() throws IOException {
        List<RawRecord> rs = json("[{\"id\": \"a\", \"n\": NaN}, {\"id\": 'b'}, {\"id\": \"c\"}, 5]", 1_000, 8192);
        assertThat(rs).hasSize(4);
        assertThat(rs.get(0).problem()).startsWith("malformed JSON");
        assertThat(rs.get(1).problem()).startsWith("malformed JSON");
        assertThat(rs.get(2).node().get("id").asText()).isEqualTo("c");
        assertThat(rs.get(3).problem()).isEqualTo("each record must be a JSON object");
    }

    @Test
    void brokenStructureEndsTheStreamAfterTheRecordItHit() throws IOException {
        List<RawRecord> rs = json("[{\"id\": \"a\"}, {\"id\": [1, 2}, {\"id\": \"never\"}]", 1_000, 8192);
        assertThat(rs).hasSize(2);
        assertThat(rs.get(1).problem()).startsWith("malformed JSON");
        List<RawRecord> cut = json("[{\"id\": \"a\"}, {\"id\": \"b", 1_000, 8192);
        assertThat(cut).hasSize(2);
        assertThat(cut.get(1).problem()).contains("malformed JSON");
    }
}
