package dev.trace2skill.bench;

import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.ImportRecord;
import dev.trace2skill.core.importers.OpenAiMessagesImporter;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.trajectory.Trajectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tau-bench airline records (public data beside the repository) as the project's own trajectories. */
final class TauBench {
    static final String RECORDS = "trajectories/tau-bench/gpt-4o-airline.json";
    static final String WIKI = "trajectories/tau-bench/airline_wiki.md";

    private TauBench() {
    }

    static Path file(String relative) {
        return SharedData.find(relative).orElseThrow(() -> new IllegalStateException(
                "public data " + relative + " not found: run from the repository root with ../shared/data beside it, or set T2S_DATA_DIR"));
    }

    /** Every record through the core's {@code openai-messages} importer (ids {@code tau-<task>-<trial>}); all must import. */
    static List<Trajectory> trajectories() {
        Path f = file(RECORDS);
        try (InputStream in = Files.newInputStream(f)) {
            List<ImportRecord> records = TrajectoryImporters.readAll(in, false, OpenAiMessagesImporter.FORMAT, ImportOptions.defaults("tau"));
            List<Trajectory> out = new ArrayList<>();
            for (ImportRecord r : records) {
                if (!r.ok()) {
                    throw new IllegalStateException("record " + r.index() + " of " + f + " did not import: " + r.errors());
                }
                out.add(r.trajectory());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The airline policy as a Deepening-mode S0 (front matter added, as the end-to-end test does). */
    static String skillMd() {
        try {
            return "---\nname: airline\ndescription: Airline customer service policy for booking, modifying and cancelling flights.\n---\n"
                    + Files.readString(file(WIKI));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
