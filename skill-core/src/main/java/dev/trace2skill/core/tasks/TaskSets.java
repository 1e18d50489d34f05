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
 * {@code wikitq} (pristine-unseen-tables.tsv: id, utterance, context CSV, targetValue) and
 * {@code spreadsheetbench-verified} (dataset.json and one folder per task with its input and golden workbooks).
 */
public final class TaskSets {
    public static final String SPREADSHEETBENCH = "spreadsheetbench-verified";
    public static final List<String> NAMES = List.of("gsm8k", "aime24", "amc23", "wikitq", SPREADSHEETBENCH);
    /** The checker name of spreadsheet tasks: the output workbook against the golden one (task-env's workbook environment). */
    public static final String SPREADSHEET_CHECKER = "spreadsheet";

    private TaskSets() {
    }

    public static List<Task> load(String name, Path dataDir) {
        Path tasks = dataDir.resolve("tasks");
        return switch (name) {
            case "gsm8k" -> gsm8k(tasks.resolve("gsm8k/test.jsonl"));
            case "aime24", "amc23" -> math(name, tasks.resolve("math/" + name + ".jsonl"));
            case "wikitq" -> wikitq(tasks.resolve("wikitq/pristine-unseen-tables.tsv"));
            case SPREADSHEETBENCH -> spreadsheetBench(tasks.resolve(SPREADSHEETBENCH));
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

    /** The folder a spreadsheet task's {@code folder} is relative to. */
    public static Path spreadsheetRoot(Path dataDir) {
        return dataDir.resolve("tasks").resolve(SPREADSHEETBENCH);
    }

    /**
     * SpreadsheetBench Verified: {@code dataset.json} records ({@code id} a string or a number, {@code instruction},
     * {@code instruction_type}, {@code answer_position}, {@code spreadsheet_path}, optional {@code answer_sheet},
     * {@code data_position}, {@code exclude}) and per task a folder with the input workbook ({@code 1_<id>_init.xlsx},
     * or {@code initial.xlsx} in a few) and the golden one. The question is what the benchmark gives a model: the
     * instruction, its type and the answer position. There is no expected text: the checker compares workbooks, and the
     * golden workbook is found by the environment, never put in the task.
     */
    static List<Task> spreadsheetBench(Path dir) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(dir.resolve("dataset.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalStateException(dir.resolve("dataset.json") + " is not a JSON array");
        }
        List<Task> out = new ArrayList<>();
        for (JsonNode r : root) {
            String id = r.path("id").asText();
            String folder = r.path("spreadsheet_path").asText("spreadsheet/" + id);
            String input = inputWorkbook(dir.resolve(folder));
            Map<String, String> context = new java.util.LinkedHashMap<>();
            context.put("folder", folder);
            if (input != null) {
                context.put("input", input);
            }
            context.put("answerPosition", r.path("answer_position").asText());
            context.put("instructionType", r.path("instruction_type").asText());
            for (String[] optional : new String[][]{{"answer_sheet", "answerSheet"}, {"data_position", "dataPosition"}, {"exclude", "exclude"}}) {
                if (r.hasNonNull(optional[0])) {
                    context.put(optional[1], r.get(optional[0]).asText());
                }
            }
            String question = r.path("instruction").asText().strip() + "\n\nInstruction type: " + r.path("instruction_type").asText()
                    + "\nAnswer position: " + r.path("answer_position").asText()
                    + (r.hasNonNull("answer_sheet") ? "\nAnswer sheet: " + r.get("answer_sheet").asText() : "");
            out.add(new Task(id, question, null, SPREADSHEET_CHECKER, context));
        }
        return out;
    }

    /** The input workbook's file name in a task folder ({@code *_init.xlsx}, {@code *_input.xlsx}, {@code initial.xlsx}), or null. */
    public static String inputWorkbook(Path folder) {
        return workbook(folder, "_init.xlsx", "_input.xlsx", "initial.xlsx", "input.xlsx");
    }

    /** The golden workbook's file name in a task folder ({@code *_golden.xlsx}, {@code *_answer.xlsx}, {@code golden.xlsx}), or null. */
    public static String goldenWorkbook(Path folder) {
        return workbook(folder, "_golden.xlsx", "_answer.xlsx", "golden.xlsx", "answer.xlsx");
    }

    private static String workbook(Path folder, String suffix, String otherSuffix, String plain, String otherPlain) {
        if (!Files.isDirectory(folder)) {
            return null;
        }
        try (var files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            for (String wanted : new String[]{suffix, otherSuffix}) {
                for (String n : names) {
                    if (n.endsWith(wanted)) {
                        return n;
                    }
                }
            }
            return names.contains(plain) ? plain : names.contains(otherPlain) ? otherPlain : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
