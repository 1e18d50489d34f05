package dev.trace2skill.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Readiness of the Kafka connection that answers at once, whatever the broker does. Quarkus' own Kafka check asks the
 * cluster for its nodes while {@code /q/health/ready} waits, without a timeout of its own: during a Kafka outage the
 * probe itself hung for 20 s and more. Here a background thread asks every {@code t2s.health.kafka.interval} (2 s), each
 * attempt bounded by {@code t2s.health.kafka.timeout} (2 s), and the probe reads the last answer: DOWN with the reason
 * while the broker does not answer, and DOWN too when no attempt has finished for three intervals (the checker itself
 * is stuck). The admin client connects with the same {@code kafka.*} settings (SASL, TLS) as the services' clients.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
    static final String NAME = "Kafka connection health check";

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "t2s.health.kafka.interval", defaultValue = "2s")
    Duration interval;
    @ConfigProperty(name = "t2s.health.kafka.timeout", defaultValue = "2s")
    Duration timeout;

    /** The last answer: up or down, why, and when it was known. */
    record State(boolean up, String detail, Instant at) {
    }

    private volatile State state = new State(false, "not checked yet", Instant.now());
    private volatile boolean running;
    private Thread checker;

    void onStart(@Observes StartupEvent ev) {
        running = true;
        checker = Thread.ofPlatform().daemon().name("t2s-kafka-readiness").start(this::loop);
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (checker != null) {
            checker.interrupt();
        }
    }

    private void loop() {
        Map<String, Object> config = TopicAdmin.adminConfig(kafkaConfig);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "t2s-readiness-" + Long.toHexString(System.nanoTime()));
        int ms = (int) Math.max(500, timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        try (Admin admin = Admin.create(new HashMap<>(config))) {
            while (running) {
                state = check(admin, ms);
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            state = new State(false, "cannot create the Kafka admin client: " + e.getMessage(), Instant.now());
        }
    }

    private static State check(Admin admin, int timeoutMs) {
        try {
            var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes()
                    .get(timeoutMs + 500L, TimeUnit.MILLISECONDS);
            StringBuilder s = new StringBuilder();
            nodes.forEach(n -> s.append(s.isEmpty() ? "" : ",").append(n.host()).append(':').append(n.port()));
            return nodes.isEmpty() ? new State(false, "the cluster reports no broker", Instant.now()) : new State(true, s.toString(), Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new State(false, "interrupted", Instant.now());
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new State(false, "no answer from Kafka within " + timeoutMs + " ms: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage()), Instant.now());
        }
    }

    @Override
    public HealthCheckResponse call() {
        State s = state;
        Duration age = Duration.between(s.at(), Instant.now());
        Duration stale = interval.plus(timeout).multipliedBy(3);
        if (s.up() && age.compareTo(stale) > 0) {
            return HealthCheckResponse.named(NAME).down().withData("reason", "no check has finished for " + age.toSeconds() + " s").build();
        }
        return s.up()
                ? HealthCheckResponse.named(NAME).up().withData("nodes", s.detail()).withData("checkedAt", s.at().toString()).build()
                : HealthCheckResponse.named(NAME).down().withData("reason", s.detail()).withData("checkedAt", s.at().toString()).build();
    }
}
