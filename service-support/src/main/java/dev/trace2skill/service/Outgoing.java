package dev.trace2skill.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.List;

/**
 * Outgoing Kafka records through the services' {@code @Channel} emitters ({@code mp.messaging.outgoing.<channel>.*}:
 * acks=all, idempotent, the shared {@code kafka.*} client settings for SASL and TLS). A record carries its key, and a
 * partition where the caller chooses one; the {@code ...AndAwait} methods return once the broker acknowledged, for the
 * places where a caller must know its records are on the broker before it answers (a run's jobs, a patch before its
 * job's offset is committed).
 */
public final class Outgoing {
    /** The largest record the services publish (a job inlines a trajectory and S0). */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(90);

    private Outgoing() {
    }

    /** A record with a key; the partitioner picks the partition from the key. */
    public static Message<String> keyed(String key, String value) {
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build());
    }

    /** A record for one partition of the channel's topic. */
    public static Message<String> toPartition(int partition, String key, String value) {
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withPartition(partition).build());
    }

    /** Sends one keyed record and waits until the broker acknowledged it. */
    public static void sendAndAwait(MutinyEmitter<String> emitter, String key, String value) {
        sendAllAndAwait(emitter, List.of(keyed(key, value)));
    }

    /** Sends every record and waits until all are acknowledged; fails if any failed. */
    public static void sendAllAndAwait(MutinyEmitter<String> emitter, List<Message<String>> records) {
        sendAllAndAwait(emitter, records, ACK_TIMEOUT);
    }

    /** Sends every record and waits until all are acknowledged, at most {@code timeout}; fails if any failed or time ran out. */
    public static void sendAllAndAwait(MutinyEmitter<String> emitter, List<Message<String>> records, Duration timeout) {
        if (records.isEmpty()) {
            return;
        }
        List<Uni<Void>> sends = records.stream().map(emitter::sendMessage).toList();
        try {
            Uni.join().all(sends).andFailFast().await().atMost(timeout);
        } catch (RuntimeException e) {
            throw new IllegalStateException("publishing to Kafka failed: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /** Sends a keyed record without waiting for the broker (progress events that a later one supersedes). */
    public static void sendAndForget(MutinyEmitter<String> emitter, String key, String value) {
        emitter.sendMessageAndForget(keyed(key, value));
    }

    /** How many partitions a topic has, as the channel's producer's metadata knows it (waits for the metadata if needed). */
    public static int partitions(KafkaClientService kafka, String channel, String topic) {
        return kafka.getProducer(channel).partitionsFor(topic).await().atMost(ACK_TIMEOUT).size();
    }
}
