package dev.trace2skill.core.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.check.Gsm8kChecker;
import dev.trace2skill.core.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built-in task sets, read from the data folder ({@code shared/data/tasks}):
 * {@code gsm8k} (test.jsonl, gold after {@code #### }), {@code aime24} and {@code amc23} ({@code {id, problem, answer}}),
 * and {@code wikitq} (pristine-unseen-tables.tsv: id, utterance, context CSV, targetValue).
 */
public final class TaskSets {
    public static final List<String> NAMES = List.of("gsm8k", "aime24", "amc23", "wikitq");

    private TaskSets() {
    }

    public static List<Task> load(String name, Path dataDir) {
        Path tasks = dataDir.resolve("tasks");
        return switch (name) {
            case "gsm8k" -> gsm8k(tasks.resolve("gsm8k/test.jsonl"));
            case "aime24", "amc23" -> math(name, tasks.resolve("math/" + name + ".jsonl"));
            case "wikitq" -> wikitq(tasks.resolve("wikitq/pristine-unseen-tables.tsv"));
            default -> throw new IllegalArgumentException("unknown task set '" + name + "'; built in: " + NAMES);
        };
    }

    /** The folder a task's table path is relative to (wikitq). */
    public static Path tableRoot(Path dataDir) {
        return dataDir.resolve("tasks/wikitq");
    }

    static List<Task> gsm8k(Path file) {
        List<Task> out = new ArrayList<>();
        int i = 0;
        for (JsonNode row : jsonLines(file)) {
            String gold = Gsm8kChecker.extract(row.path("answer").asText()).orElseThrow(() ->
                    new IllegalStateException("no gold answer in " + file + " line"));
            out.add(new Task("gsm8k-" + i++, row.path("question").asText(), gold, "gsm8k", Map.of("solution", row.path("answer").asText())));
        }
        return out;
    }

    static List<Task> math(String name, Path file) {
        List<Task> out = new ArrayList<>();
        for (JsonNode row : jsonLines(file)) {
            out.add(new Task(name + "-" + row.path("id").asText(), row.path("problem").asText(), row.path("answer").asText(), "math", Map.of()));
        }
        return out;
    }

    static List<Task> wikitq(Path file) {
        List<Task> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.startsWith("id\tutterance\tcontext\ttargetValue")) {
                throw new IllegalStateException("unexpected header in " + file + ": " + header);
            }
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t", -1);
                if (f.length < 4) {
                    continue;
                }
                out.add(new Task(f[0], f[1], f[3], "wikitq", Map.of("table", f[2])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<JsonNode> jsonLines(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(Json.mapper().readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
