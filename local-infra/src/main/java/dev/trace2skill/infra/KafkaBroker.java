package dev.trace2skill.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller, one node), in a JVM of its own, from the
 * jars that the {@code kafka-dist} module resolved. Data lives under the given directory.
 */
public final class KafkaBroker implements AutoCloseable {
    static final String CLASSPATH_RESOURCE = "/dev/trace2skill/infra/kafka/broker.classpath";
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final Path dir;
    private final int port;
    private final long pid;
    private final Process process;

    private KafkaBroker(Path dir, int port, long pid, Process process) {
        this.dir = dir;
        this.port = port;
        this.pid = pid;
        this.process = process;
    }

    /**
     * Formats storage and starts the broker, waiting until it serves. On a directory a broker of this class ran on
     * before (stopped with {@link #close()}), it starts that broker again with its data, on the same port.
     *
     * @param dir      data, config and log directory
     * @param port     client port (PLAINTEXT)
     * @param detached true to outlive this JVM (the launcher); false to die with it (tests)
     */
    public static KafkaBroker start(Path dir, int port, boolean detached, Duration timeout) {
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("server.properties");
            Path log = dir.resolve("broker.log");
            String classpath = brokerClasspath();
            if (Files.exists(dir.resolve("data").resolve("meta.properties")) && Files.exists(config)) {
                // a broker stopped earlier on this directory starts again with its data and its configuration
                if (!Files.readString(config).contains("PLAINTEXT://127.0.0.1:" + port + ",")) {
                    throw new IllegalStateException("the broker in " + dir + " listened on another port than " + port);
                }
                Files.deleteIfExists(log);
            } else {
                int controllerPort = Ports.free();
                Files.writeString(config, properties(dir, port, controllerPort));
                Processes.run(List.of(Processes.java(), "-cp", classpath, "kafka.tools.StorageTool", "format",
                        "--cluster-id=" + clusterId(), "-c", config.toString()), Duration.ofSeconds(60));
            }
            List<String> cmd = new ArrayList<>(List.of(Processes.java(), "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true", "-cp"));
            if (detached) {
                cmd.addAll(List.of(classpath, "kafka.Kafka", config.toString()));
            } else {
                cmd.addAll(List.of(classpath + java.io.File.pathSeparator + ownCodeSource(), ParentWatchdog.class.getName(),
                        "kafka.Kafka", config.toString()));
            }
            Process process = Processes.start(cmd, log, detached, dir);
            long pid = process.pid();
            awaitReady(port, log, process, timeout);
            return new KafkaBroker(dir, port, pid, detached ? null : process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return pid;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        stop(pid, port);
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** Stops a broker by pid (SIGTERM for a clean shutdown, then SIGKILL) and waits for its port to close. */
    public static void stop(long pid, int port) {
        Processes.stop(pid, "TERM", Duration.ofSeconds(20));
        Ports.awaitClosed(port, Duration.ofSeconds(10));
    }

    private static void awaitReady(int port, Path log, Process process, Duration timeout) throws IOException {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + "; log tail:\n" + Processes.tail(log, 40));
            }
            if (Ports.isOpen(port) && Files.exists(log) && Files.readString(log).contains("Kafka Server started")) {
                return;
            }
            Ports.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the Kafka broker did not start within " + timeout + "; log tail:\n" + Processes.tail(log, 40));
    }

    static String properties(Path dir, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "message.max.bytes=" + MAX_MESSAGE_BYTES,
                "replica.fetch.max.bytes=" + MAX_MESSAGE_BYTES,
                "log.retention.hours=168",
                "") + "\n";
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding. */
    static String clusterId() {
        UUID u = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + CLASSPATH_RESOURCE + ": build the kafka-dist module first");
            }
            String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            for (String entry : cp.split(java.io.File.pathSeparator)) {
                if (!Files.exists(Path.of(entry))) {
                    throw new IllegalStateException("broker jar missing: " + entry + " (run the build once to resolve it)");
                }
            }
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ownCodeSource() {
        try {
            return Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
