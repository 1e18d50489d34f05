package dev.trace2skill.testkit;

import dev.trace2skill.infra.LocalInfra;
import dev.trace2skill.infra.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Real Kafka and PostgreSQL for a {@code @QuarkusTest} suite: one broker and one database server per test JVM
 * (started on first use, stopped when the JVM exits), never one per test class. Each module gets its own database
 * (init arg {@code database}). With {@code T2S_TEST_KAFKA_BOOTSTRAP} and {@code T2S_TEST_JDBC_URL} set, an external
 * stack is used instead.
 */
public class InfraTestResource implements QuarkusTestResourceLifecycleManager {
    private static LocalInfra infra;
    private String database = "t2s_test";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", bootstrapServers());
        config.put("t2s.datasource.jdbc-url", jdbcUrl(database));
        config.put("t2s.datasource.username", PostgresServer.USER);
        return config;
    }

    @Override
    public void stop() {
        // the stack lives as long as the JVM: other test classes of the module reuse it
    }

    /** Starts the shared stack if needed. */
    public static synchronized LocalInfra infra() {
        if (infra == null) {
            LocalInfra started = LocalInfra.start(LocalInfra.tempDir(), 0, 0, false);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                LocalInfra.deleteTree(started.dir());
            }, "t2s-infra-stop"));
            infra = started;
        }
        return infra;
    }

    public static String bootstrapServers() {
        String external = System.getenv("T2S_TEST_KAFKA_BOOTSTRAP");
        return external != null && !external.isBlank() ? external : infra().kafka().bootstrapServers();
    }

    /** JDBC URL of a database on the shared server, created when missing. */
    public static String jdbcUrl(String database) {
        String external = System.getenv("T2S_TEST_JDBC_URL");
        if (external != null && !external.isBlank()) {
            return external;
        }
        infra().postgres().createDatabase(database);
        return infra().postgres().jdbcUrl(database);
    }
}
