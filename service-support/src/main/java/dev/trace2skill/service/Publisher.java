package dev.trace2skill.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes JSON messages with a plain Kafka producer (acks=all, idempotent), for the places where a caller must know
 * that every message of a batch is on the broker before it answers (a run's jobs, a patch before its offset commits).
 */
@ApplicationScoped
public class Publisher {
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    MeterRegistry registry;

    private volatile KafkaProducer<String, String> producer;
    private KafkaClientMetrics metrics;

    KafkaProducer<String, String> producer() {
        KafkaProducer<String, String> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    Map<String, Object> config = new HashMap<>();
                    kafkaConfig.forEach((k, v) -> {
                        if (ProducerConfig.configNames().contains(k)) {
                            config.put(k, v);
                        }
                    });
                    config.put(ProducerConfig.ACKS_CONFIG, "all");
                    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
                    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
                    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
                    producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
                    metrics = new KafkaClientMetrics(producer);
                    metrics.bindTo(registry);
                }
                p = producer;
            }
        }
        return p;
    }

    /** How many partitions a topic has, as the producer's metadata knows it (waits for the metadata if needed). */
    public int partitions(String topic) {
        return producer().partitionsFor(topic).size();
    }

    public Future<RecordMetadata> send(String topic, String key, String value) {
        return producer().send(new ProducerRecord<>(topic, key, value));
    }

    /** Sends and waits until the broker acknowledged. */
    public RecordMetadata sendAndWait(String topic, String key, String value) {
        return await(List.of(send(topic, key, value))).get(0);
    }

    /** Sends every record and waits until all are acknowledged; fails if any failed. */
    public List<RecordMetadata> sendAll(List<ProducerRecord<String, String>> records) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<String, String> r : records) {
            futures.add(producer().send(r));
        }
        return await(futures);
    }

    private static List<RecordMetadata> await(List<Future<RecordMetadata>> futures) {
        List<RecordMetadata> out = new ArrayList<>(futures.size());
        try {
            for (Future<RecordMetadata> f : futures) {
                out.add(f.get(90, TimeUnit.SECONDS));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("publishing to Kafka failed: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    void close(@Observes ShutdownEvent ev) {
        if (producer != null) {
            if (metrics != null) {
                metrics.close();
            }
            producer.close(java.time.Duration.ofSeconds(10));
        }
    }
}
