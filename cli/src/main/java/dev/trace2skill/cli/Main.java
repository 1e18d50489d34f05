package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;

/**
 * {@code ./t2s} user commands: everything goes to the front door (trace-ingest) at {@code --url} / {@code T2S_URL} with
 * the token of {@code --token} / {@code T2S_API_TOKEN}.
 */
@Command(name = "t2s", mixinStandardHelpOptions = true, version = "t2s 0.1.0",
        description = "Trace2Skill from the command line: push trajectories, register skills, evolve them, read runs, evaluate.",
        subcommands = {PushCommand.class, SkillCommand.class, EvolveCommand.class, RunCommand.class, GetCommand.class,
                EvalCommand.class, ExperimentCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done", "  1  refused: the front door named what is wrong with the input", "  2  usage: wrong command line",
                "  3  no or wrong token (401/403)", "  4  not found (404)", "  5  unreachable or failed service (5xx)",
                "  6  watched to the end and it ended badly (run failed or cancelled, evaluation not completed, import failed)",
                "  7  push: some records stored, some rejected"})
public class Main {
    @Option(names = "--url", scope = ScopeType.INHERIT, defaultValue = "${env:T2S_URL:-http://127.0.0.1:8081}",
            description = "the front door (trace-ingest); env T2S_URL; default ${DEFAULT-VALUE}")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, defaultValue = "${env:T2S_API_TOKEN}",
            description = "the API token; env T2S_API_TOKEN")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the front door's JSON answer (machine output) instead of text")
    boolean json;

    @Option(names = "--poll-ms", scope = ScopeType.INHERIT, defaultValue = "1000", hidden = true)
    long pollMs;

    final PrintStream out;
    final PrintStream err;
    final boolean terminal;

    public Main(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    Api api() {
        return new Api(url, token);
    }

    void printJson(JsonNode node) {
        try {
            out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    Progress progress() {
        return new Progress(err, terminal, 500);
    }

    void sleep() {
        try {
            Thread.sleep(pollMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(Exit.UNAVAILABLE, "interrupted");
        }
    }

    /** Runs a command line; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        Main main = new Main(out, err, terminal);
        CommandLine cl = new CommandLine(main);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                err.println("t2s: " + c.getMessage());
                return c.exitCode();
            }
            err.println("t2s: " + e);
            return Exit.UNAVAILABLE;
        });
        cl.setExitCodeExceptionMapper(t -> t instanceof CliException c ? c.exitCode() : Exit.USAGE);
        return cl.execute(args);
    }

    public static void main(String[] args) {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        System.exit(run(args, System.out, System.err, terminal));
    }
}
