package dev.trace2skill.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The launcher's infrastructure commands: {@code up}, {@code down}, {@code status}. */
@Command(name = "t2s-infra", mixinStandardHelpOptions = true, subcommands = {Main.Up.class, Main.Down.class, Main.Status.class, Main.Env.class, Main.ValidateSkill.class},
        description = "Starts and stops a local Kafka (KRaft) broker and PostgreSQL server.")
public final class Main {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(Main::oneLine).execute(args));
    }

    /** A failure is one line naming what failed (the server's log tail follows when there is one), not a stack trace. */
    static int oneLine(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.io.UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        System.err.println("t2s: infrastructure " + cmd.getCommandName() + " failed: " + message);
        return 1;
    }

    static Path stateFile(Path dir) {
        return dir.resolve("infra.json");
    }

    @Command(name = "up", description = "Start Kafka and PostgreSQL detached; write <state-dir>/infra.json.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--state-dir", required = true)
        Path stateDir;
        @Option(names = "--kafka-port", defaultValue = "0", description = "0 picks a free port")
        int kafkaPort;
        @Option(names = "--pg-port", defaultValue = "0", description = "0 picks a free port")
        int pgPort;
        @Option(names = "--database", split = ",", description = "databases to create")
        List<String> databases = List.of();

        @Override
        public Integer call() throws IOException {
            Path state = stateFile(stateDir);
            if (Files.exists(state)) {
                InfraState s = JSON.readValue(state.toFile(), InfraState.class);
                if (Processes.alive(s.kafkaPid()) && PostgresServer.postmasterPid(Path.of(s.postgresDataDir())) > 0) {
                    System.out.println(Files.readString(state));
                    return 0;
                }
            }
            Path dir = stateDir.toAbsolutePath().resolve("infra");
            LocalInfra.deleteTree(dir);
            LocalInfra infra = LocalInfra.start(dir, kafkaPort, pgPort, true);
            for (String db : databases) {
                infra.postgres().createDatabase(db);
            }
            InfraState s = new InfraState(infra.kafka().pid(), infra.kafka().port(), infra.kafka().bootstrapServers(),
                    infra.postgres().port(), infra.postgres().dataDir().toString(), PostgresServer.binaries().toString(),
                    "jdbc:postgresql://127.0.0.1:" + infra.postgres().port() + "/", PostgresServer.USER);
            JSON.writeValue(state.toFile(), s);
            System.out.println(Files.readString(state));
            return 0;
        }
    }

    @Command(name = "down", description = "Stop what `up` started and delete its data.")
    static final class Down implements Callable<Integer> {
        @Option(names = "--state-dir", required = true)
        Path stateDir;

        @Override
        public Integer call() throws IOException {
            Path state = stateFile(stateDir);
            if (!Files.exists(state)) {
                System.out.println("infrastructure is not running");
                return 0;
            }
            InfraState s = JSON.readValue(state.toFile(), InfraState.class);
            KafkaBroker.stop(s.kafkaPid(), s.kafkaPort());
            PostgresServer.stop(Path.of(s.postgresDataDir()), s.postgresPort());
            PostgresServer.deleteServerDir(Path.of(s.postgresDataDir()));
            Files.delete(state);
            LocalInfra.deleteTree(stateDir.toAbsolutePath().resolve("infra"));
            boolean clean = !Ports.isOpen(s.kafkaPort()) && !Ports.isOpen(s.postgresPort());
            System.out.println(clean ? "stopped Kafka and PostgreSQL" : "warning: a port is still open");
            return clean ? 0 : 1;
        }
    }

    @Command(name = "env", description = "Print the running infrastructure as shell variables (KAFKA_BOOTSTRAP_SERVERS=..., T2S_JDBC_BASE=...).")
    static final class Env implements Callable<Integer> {
        @Option(names = "--state-dir", required = true)
        Path stateDir;

        @Override
        public Integer call() throws IOException {
            Path state = stateFile(stateDir);
            if (!Files.exists(state)) {
                System.err.println("infrastructure is not running");
                return 3;
            }
            InfraState s = JSON.readValue(state.toFile(), InfraState.class);
            System.out.println("KAFKA_BOOTSTRAP_SERVERS=" + s.bootstrapServers());
            System.out.println("T2S_JDBC_BASE=" + s.jdbcBaseUrl());
            System.out.println("T2S_DATASOURCE_USERNAME=" + s.user());
            return 0;
        }
    }

    @Command(name = "status", description = "Print the state and whether each server answers.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--state-dir", required = true)
        Path stateDir;

        @Override
        public Integer call() throws IOException {
            Path state = stateFile(stateDir);
            if (!Files.exists(state)) {
                System.out.println("infrastructure is not running");
                return 3;
            }
            InfraState s = JSON.readValue(state.toFile(), InfraState.class);
            boolean kafka = Ports.isOpen(s.kafkaPort());
            boolean pg = Ports.isOpen(s.postgresPort());
            System.out.println("kafka " + s.bootstrapServers() + " " + (kafka ? "UP" : "DOWN"));
            System.out.println("postgres " + s.jdbcBaseUrl() + " " + (pg ? "UP" : "DOWN"));
            return kafka && pg ? 0 : 1;
        }
    }

    @Command(name = "validate-skill", description = "Check a skill folder against the Agent Skills rules; print each violation; exit 1 if any.")
    static final class ValidateSkill implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "DIR", description = "the skill folder (its name must equal the skill's name)")
        Path folder;

        @Override
        public Integer call() {
            if (!Files.isDirectory(folder)) {
                System.err.println("t2s: " + folder + " is not a folder");
                return 2;
            }
            SkillBundle bundle = SkillBundle.readFolder(folder.toAbsolutePath().normalize());
            List<Violation> violations = new SkillValidator().validate(bundle);
            violations.forEach(v -> System.out.println(v));
            System.out.println(bundle.name() + ": " + bundle.paths().size() + " files, "
                    + (violations.isEmpty() ? "valid" : violations.size() + " violation(s)"));
            return violations.isEmpty() ? 0 : 1;
        }
    }
}
