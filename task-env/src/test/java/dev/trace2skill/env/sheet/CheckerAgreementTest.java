package dev.trace2skill.env.sheet;

import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.env.CheckOptions.Mode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The checker on all 400 SpreadsheetBench Verified tasks: every golden workbook against itself and every input
 * workbook against its golden one, in both modes. The verdicts must equal the committed table
 * ({@code spreadsheetbench-verified-verdicts.tsv}), which was checked against the benchmark's own evaluation script
 * (see the README); the lines printed say how long it took and where the modes disagree.
 */
class CheckerAgreementTest {
    static final String TABLE = "/spreadsheetbench-verified-verdicts.tsv";

    record Row(String id, boolean goldenOfficial, boolean goldenLenient, boolean initOfficial, boolean initLenient) {
        String line() {
            return id + "\t" + word(goldenOfficial) + "\t" + word(goldenLenient) + "\t" + word(initOfficial) + "\t" + word(initLenient);
        }

        static String word(boolean b) {
            return b ? "pass" : "fail";
        }
    }

    @Test
    void verdictsOnEveryGoldenAndInputWorkbookMatchTheRecordedTable() throws Exception {
        Optional<Path> data = SharedData.locate();
        assumeTrue(data.isPresent() && Files.isDirectory(TaskSets.spreadsheetRoot(data.get())),
                "../shared/data/tasks/spreadsheetbench-verified is absent");
        List<Task> tasks = TaskSets.load(TaskSets.SPREADSHEETBENCH, data.get());
        assertThat(tasks).hasSize(400);
        long start = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))) {
            List<Future<Row>> futures = new ArrayList<>();
            for (Task t : tasks) {
                futures.add(pool.submit(() -> {
                    // each workbook is read once (every sheet kept) and compared four times
                    SpreadsheetTaskFiles f = SpreadsheetTaskFiles.of(data.get(), t);
                    XlsxValues golden = SpreadsheetChecker.readAll(f.golden());
                    XlsxValues input = SpreadsheetChecker.readAll(f.input());
                    String at = f.answerPosition();
                    String sheet = f.answerSheet();
                    return new Row(t.id(),
                            SpreadsheetChecker.compare(golden, golden, at, sheet, Mode.OFFICIAL, false).passed(),
                            SpreadsheetChecker.compare(golden, golden, at, sheet, Mode.LENIENT, false).passed(),
                            SpreadsheetChecker.compare(golden, input, at, sheet, Mode.OFFICIAL, false).passed(),
                            SpreadsheetChecker.compare(golden, input, at, sheet, Mode.LENIENT, false).passed());
                }));
            }
            for (Future<Row> f : futures) {
                rows.add(f.get());
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        StringBuilder table = new StringBuilder("id\tgolden-official\tgolden-lenient\tinit-official\tinit-lenient\n");
        rows.forEach(r -> table.append(r.line()).append('\n'));
        Path out = Path.of("target/spreadsheetbench-verified-verdicts.tsv");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString(), StandardCharsets.UTF_8);
        long disagree = rows.stream().filter(r -> r.goldenOfficial() != r.goldenLenient() || r.initOfficial() != r.initLenient()).count();
        System.out.printf("SpreadsheetBench Verified: %d tasks, 1,600 checks in %d ms; golden passes %d official / %d lenient; "
                        + "input passes %d official / %d lenient; modes disagree on %d tasks; table written to %s%n",
                rows.size(), ms, rows.stream().filter(Row::goldenOfficial).count(), rows.stream().filter(Row::goldenLenient).count(),
                rows.stream().filter(Row::initOfficial).count(), rows.stream().filter(Row::initLenient).count(), disagree, out);
        Map<String, String> expected = recorded();
        assertThat(expected).as("the recorded table").hasSize(400);
        List<String> differences = new ArrayList<>();
        for (Row r : rows) {
            if (!r.line().equals(r.id() + "\t" + expected.get(r.id()))) {
                differences.add("now " + r.line() + ", recorded " + expected.get(r.id()));
            }
        }
        assertThat(differences).isEmpty();
    }

    static Map<String, String> recorded() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = CheckerAgreementTest.class.getResourceAsStream(TABLE)) {
            assertThat(in).as(TABLE).isNotNull();
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (String line : lines.subList(1, lines.size())) {
                int tab = line.indexOf('\t');
                out.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return out;
    }
}
