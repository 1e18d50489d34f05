package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.skill.SkillArchive;
import dev.trace2skill.core.skill.SkillBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The skill registry: register a folder or zip, list skills and versions, diff two versions. */
@Command(name = "skill", description = "Register, list and compare skills.",
        subcommands = {SkillCommand.Add.class, SkillCommand.Ls.class, SkillCommand.Diff.class})
public class SkillCommand {
    @ParentCommand
    Main main;

    /** {@code name@version}. */
    record Ref(String name, int version) {
        static Ref parse(String s) {
            int at = s.lastIndexOf('@');
            if (at <= 0) {
                throw new CliException(Exit.USAGE, "name a version as NAME@VERSION, not " + s);
            }
            try {
                return new Ref(s.substring(0, at), Integer.parseInt(s.substring(at + 1)));
            } catch (NumberFormatException e) {
                throw new CliException(Exit.USAGE, "the version in " + s + " is not a number");
            }
        }
    }

    @Command(name = "add", description = "Register a skill folder (zipped here) or a zip of one; prints NAME@VERSION.")
    static class Add implements Callable<Integer> {
        @ParentCommand
        SkillCommand parent;

        @Parameters(paramLabel = "DIR|ZIP")
        Path source;

        @Override
        public Integer call() throws IOException {
            Main main = parent.main;
            byte[] zip;
            if (Files.isDirectory(source)) {
                try {
                    zip = SkillArchive.write(SkillBundle.readFolder(source));
                } catch (RuntimeException e) {
                    throw new CliException(Exit.USAGE, "cannot read the skill folder " + source + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(source)) {
                zip = Files.readAllBytes(source);
            } else {
                throw new CliException(Exit.USAGE, "no such folder or file: " + source);
            }
            JsonNode v = main.api().post("/v1/skills", "application/zip", HttpRequest.BodyPublishers.ofByteArray(zip));
            if (main.json) {
                main.printJson(v);
            } else {
                main.out.println(v.path("name").asText() + "@" + v.path("version").asInt() + (v.path("created").asBoolean()
                        ? " registered" : " already registered with the same content") + " (" + v.path("files").asInt() + " files, hash "
                        + v.path("hash").asText() + ")");
            }
            return Exit.OK;
        }
    }

    @Command(name = "ls", description = "List skills, or the versions of one.")
    static class Ls implements Callable<Integer> {
        @ParentCommand
        SkillCommand parent;

        @Parameters(paramLabel = "NAME", arity = "0..1")
        String name;

        @Override
        public Integer call() {
            Main main = parent.main;
            JsonNode list = main.api().getJson(name == null ? "/v1/skills" : "/v1/skills/" + Api.q(name) + "/versions");
            if (main.json) {
                main.printJson(list);
                return Exit.OK;
            }
            if (name == null) {
                main.out.printf("%-40s %7s %8s  %s%n", "SKILL", "LATEST", "VERSIONS", "SINCE");
                list.forEach(s -> main.out.printf("%-40s %7d %8d  %s%n", s.path("name").asText(), s.path("latestVersion").asInt(),
                        s.path("versions").asInt(), s.path("createdAt").asText()));
            } else {
                main.out.printf("%-8s %-30s %6s %9s  %-20s %s%n", "VERSION", "SOURCE", "FILES", "BYTES", "HASH", "CREATED");
                list.forEach(v -> main.out.printf("%-8d %-30s %6d %9d  %-20s %s%n", v.path("version").asInt(), v.path("source").asText(),
                        v.path("files").asInt(), v.path("bytes").asInt(), v.path("hash").asText().substring(0, Math.min(20, v.path("hash").asText().length())),
                        v.path("createdAt").asText()));
            }
            return Exit.OK;
        }
    }

    @Command(name = "diff", description = "Unified diff between two versions of a skill.")
    static class Diff implements Callable<Integer> {
        @ParentCommand
        SkillCommand parent;

        @Parameters(index = "0", paramLabel = "NAME@A")
        String from;

        @Parameters(index = "1", paramLabel = "NAME@B")
        String to;

        @Override
        public Integer call() {
            Main main = parent.main;
            Ref a = Ref.parse(from);
            Ref b = Ref.parse(to);
            if (!a.name().equals(b.name())) {
                throw new CliException(Exit.USAGE, "compare two versions of one skill (" + a.name() + " vs " + b.name() + ")");
            }
            String diff = main.api().getText("/v1/skills/" + Api.q(a.name()) + "/diff?from=" + a.version() + "&to=" + b.version(), "text/plain");
            if (main.json) {
                main.printJson(Api.JSON.createObjectNode().put("from", from).put("to", to).put("diff", diff));
            } else {
                main.out.print(diff.isEmpty() ? "(no difference)\n" : diff.endsWith("\n") ? diff : diff + "\n");
            }
            return Exit.OK;
        }
    }
}
