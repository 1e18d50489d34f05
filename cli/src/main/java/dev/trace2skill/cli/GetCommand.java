package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.skill.SkillBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Writes what a run produced into a folder. */
@Command(name = "get", description = "Write a run's output into a folder: skill (S* as a folder), diff, changelog, provenance (JSON and Markdown), merge-tree.")
public class GetCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "WHAT", description = "skill, diff, changelog, provenance or merge-tree")
    String what;

    @Parameters(index = "1", paramLabel = "RUN")
    String run;

    @Option(names = {"-o", "--out"}, defaultValue = ".", description = "the folder to write into (default: the current one)")
    Path out;

    @Override
    public Integer call() throws IOException {
        String base = "/v1/runs/" + Api.q(run);
        Files.createDirectories(out);
        Map<String, Path> written = new LinkedHashMap<>();
        switch (what) {
            case "skill" -> {
                JsonNode s = main.api().getJson(base + "/skill");
                Map<String, String> files = new LinkedHashMap<>();
                s.path("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
                Path folder = SkillBundle.ofText(s.path("name").asText(), files).writeTo(out);
                written.put("skill", folder);
            }
            case "diff" -> written.put("diff", write(out.resolve(run + ".diff"), main.api().getText(base + "/diff", "text/plain")));
            case "changelog" -> written.put("changelog", write(out.resolve("CHANGELOG-" + run + ".md"), main.api().getText(base + "/changelog", "text/markdown")));
            case "provenance" -> {
                written.put("provenance", write(out.resolve("provenance-" + run + ".json"), main.api().getText(base + "/provenance", "application/json")));
                written.put("provenance-markdown", write(out.resolve("provenance-" + run + ".md"), main.api().getText(base + "/provenance", "text/markdown")));
            }
            case "merge-tree" -> written.put("merge-tree", write(out.resolve("merge-tree-" + run + ".json"), main.api().getText(base + "/merge-tree", "application/json")));
            default -> throw new CliException(Exit.USAGE, "get what? skill, diff, changelog, provenance or merge-tree (not " + what + ")");
        }
        if (main.json) {
            var o = Api.JSON.createObjectNode();
            written.forEach((k, p) -> o.put(k, p.toString()));
            main.printJson(o);
        } else {
            written.forEach((k, p) -> main.out.println(k + ": " + p));
        }
        return Exit.OK;
    }

    static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
