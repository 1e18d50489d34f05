package dev.trace2skill.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Kafka and PostgreSQL together, started in parallel under one directory. */
public final class LocalInfra implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final KafkaBroker kafka;
    private final PostgresServer postgres;

    private LocalInfra(Path dir, KafkaBroker kafka, PostgresServer postgres) {
        this.dir = dir;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    /**
     * @param dir       base directory (a server that runs as another OS user keeps its data elsewhere: see PostgresServer)
     * @param kafkaPort client port, or 0 for a free one
     * @param pgPort    PostgreSQL port, or 0 for a free one
     * @param detached  true when the servers must outlive this JVM
     */
    public static LocalInfra start(Path dir, int kafkaPort, int pgPort, boolean detached) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int kp = Ports.freeOr(kafkaPort);
        int pp = Ports.freeOr(pgPort);
        CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(() -> KafkaBroker.start(dir.resolve("kafka"), kp, detached, START_TIMEOUT));
        CompletableFuture<PostgresServer> postgres = CompletableFuture.supplyAsync(() -> PostgresServer.start(dir.resolve("postgres"), pp, detached, START_TIMEOUT));
        try {
            return new LocalInfra(dir, kafka.join(), postgres.join());
        } catch (CompletionException e) {
            kafka.thenAccept(KafkaBroker::close);
            postgres.thenAccept(PostgresServer::close);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** A fresh temporary directory for a throwaway stack (tests). */
    public static Path tempDir() {
        try {
            return Files.createTempDirectory("t2s-infra-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        CompletableFuture<Void> k = CompletableFuture.runAsync(kafka::close);
        CompletableFuture<Void> p = CompletableFuture.runAsync(postgres::close);
        CompletableFuture.allOf(k, p).join();
    }

    /** Deletes a directory tree (data of a stopped stack). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
