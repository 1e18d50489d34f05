package dev.trace2skill.service;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.DeadLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * The services' failure strategy for incoming channels ({@code failure-strategy=dead-letter-reference}): a message the
 * consumer could not process goes to the channel's {@code dead-letter-queue.topic} with the reason, and the consumer
 * goes on — always. Unlike SmallRye's {@code dead-letter-queue}, which copies the payload whatever its size (a 2.6 MB
 * analysis job failed to dead-letter against the producer's 1 MB request limit, and the failed send stopped the
 * consumer and took health down), a dead letter here never carries more than {@value #MAX_INLINE_PAYLOAD} bytes of
 * payload: a smaller message is copied as it was, a larger one is replaced by a {@link DeadLetter} reference (topic,
 * partition, offset, key, size, SHA-256 — the message itself stays on its topic for the retention time). Every dead
 * letter carries the reason and the reference in SmallRye's headers ({@code dead-letter-reason}, {@code -cause},
 * {@code -topic}, {@code -partition}, {@code -offset}, {@code -exception-class-name}) plus {@code dead-letter-payload}
 * ({@code inline} or {@code reference}), {@code dead-letter-payload-bytes} and {@code dead-letter-payload-sha256}.
 * When even the dead letter cannot be sent (the broker is unreachable), the failure is logged with the reference and
 * counted ({@code t2s_dead_letters_total{sent="false"}}), and the message is acknowledged all the same: a poison
 * message never stops a consumer.
 */
@ApplicationScoped
@Identifier(DeadLetters.STRATEGY)
public class DeadLetters implements KafkaFailureHandler.Factory {
    public static final String STRATEGY = "dead-letter-reference";
    /** The most payload a dead letter copies: far below any broker's default message limit (1 MB). */
    public static final int MAX_INLINE_PAYLOAD = 64 * 1024;
    public static final String PAYLOAD = "dead-letter-payload";
    public static final String PAYLOAD_BYTES = "dead-letter-payload-bytes";
    public static final String PAYLOAD_SHA256 = "dead-letter-payload-sha256";
    static final int MAX_REASON = 4_000;
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    MeterRegistry registry;

    private final ExecutorService sender = Executors.newVirtualThreadPerTaskExecutor();
    private Producer<String, String> producer;
    private KafkaClientMetrics producerMetrics;

    @Override
    public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration conf, Vertx vertx, KafkaConsumer<?, ?> consumer,
                                      BiConsumer<Throwable, Boolean> reportFailure) {
        String channel = conf.getChannel();
        String topic = conf.getDeadLetterQueueTopic().orElse("dead-letter-topic-" + channel);
        return new KafkaFailureHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
                return Uni.createFrom().completionStage(() -> CompletableFuture.runAsync(() -> deadLetter(channel, topic, record, reason), sender))
                        .onFailure().recoverWithNull()
                        .chain(() -> Uni.createFrom().completionStage(record.ack()));
            }
        };
    }

    /** Sends the dead letter and waits for the broker (bounded by the producer's timeouts); never throws. */
    <K, V> void deadLetter(String channel, String topic, IncomingKafkaRecord<K, V> record, Throwable reason) {
        String key = record.getKey() == null ? null : String.valueOf(record.getKey());
        Object value = record.getPayload();
        byte[] payload = value == null ? new byte[0]
                : value instanceof byte[] b ? b : String.valueOf(value).getBytes(StandardCharsets.UTF_8);
        String why = clip(reason.getMessage() == null ? reason.getClass().getName() : reason.getMessage());
        String cause = reason.getCause() == null || reason.getCause() == reason ? null : clip(String.valueOf(reason.getCause().getMessage()));
        String sha256 = sha256(payload);
        boolean inline = payload.length <= MAX_INLINE_PAYLOAD;
        String body = inline ? new String(payload, StandardCharsets.UTF_8)
                : Json.write(new DeadLetter(channel, record.getTopic(), record.getPartition(), record.getOffset(), key, payload.length,
                sha256, why, cause, Instant.now()));
        ProducerRecord<String, String> dead = new ProducerRecord<>(topic, key, body);
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_REASON, why);
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_CAUSE, cause);
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_EXCEPTION_CLASS_NAME, reason.getClass().getName());
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_TOPIC, record.getTopic());
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_PARTITION, Integer.toString(record.getPartition()));
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_OFFSET, Long.toString(record.getOffset()));
        header(dead, PAYLOAD, inline ? "inline" : "reference");
        header(dead, PAYLOAD_BYTES, Integer.toString(payload.length));
        header(dead, PAYLOAD_SHA256, sha256);
        String where = record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset();
        try {
            producer().send(dead).get();
            count(channel, inline, true);
            LOG.warnf("%s: %s (key %s, %d bytes) dead-lettered to %s: %s", channel, where, key, payload.length, topic, why);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            count(channel, inline, false);
            LOG.errorf("%s: %s (key %s, %d bytes, sha256 %s) could not be processed (%s) and not even dead-lettered to %s (%s);"
                    + " it is skipped", channel, where, key, payload.length, sha256, why, topic, e.getMessage());
        }
    }

    private void count(String channel, boolean inline, boolean sent) {
        Counter.builder("t2s.dead_letters").description("messages a consumer could not process, by channel, payload kept inline or"
                        + " by reference, and whether the dead letter reached its topic")
                .tag("channel", channel).tag("payload", inline ? "inline" : "reference").tag("sent", Boolean.toString(sent))
                .register(registry).increment();
    }

    /** One producer for the service's dead letters: acks=all, idempotent, the service's {@code kafka.*} settings. */
    synchronized Producer<String, String> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>();
            kafkaConfig.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k) && v != null) {
                    config.put(k, v);
                }
            });
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "dead-letters-" + Long.toHexString(System.nanoTime()));
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
            producerMetrics = new KafkaClientMetrics(producer);
            producerMetrics.bindTo(registry);
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        sender.shutdown();
        if (producer != null) {
            producerMetrics.close();
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }

    private static void header(ProducerRecord<String, String> r, String name, String value) {
        if (value != null) {
            r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    static String clip(String s) {
        return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON) + "…";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
