package dev.trace2skill.service;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates the topics a service needs with the partitions it needs, and grows partitions that are too few. */
public final class TopicAdmin {
    private TopicAdmin() {
    }

    /**
     * @param clientConfig Kafka client settings (bootstrap servers, and security.protocol, sasl.*, ssl.* where the
     *                     broker needs them); settings the admin client does not know are left out
     * @param topics       topic → least number of partitions
     */
    public static void ensure(Map<String, ?> clientConfig, Map<String, Integer> topics, short replicationFactor) {
        // several services create the same topics as they start: a topic just created by another may briefly be
        // unknown to the metadata, so the whole step is retried
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                ensureOnce(clientConfig, topics, replicationFactor);
                return;
            } catch (RuntimeException e) {
                last = e;
                try {
                    Thread.sleep(500L * (attempt + 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last;
    }

    /**
     * The admin client's settings from the services' Kafka client settings: what the admin client knows (bootstrap
     * servers, security protocol, SASL, TLS) is kept, the rest (producer and consumer settings) left out; requests time
     * out after 15 s, API calls after 30 s.
     */
    static Map<String, Object> adminConfig(Map<String, ?> clientConfig) {
        Map<String, Object> config = new java.util.HashMap<>();
        clientConfig.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k) && v != null) {
                config.put(k, v);
            }
        });
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return config;
    }

    private static void ensureOnce(Map<String, ?> clientConfig, Map<String, Integer> topics, short replicationFactor) {
        Map<String, Object> config = adminConfig(clientConfig);
        Object bootstrapServers = config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Map.Entry<String, Integer> t : topics.entrySet()) {
                if (!existing.contains(t.getKey())) {
                    try {
                        admin.createTopics(Set.of(new NewTopic(t.getKey(), t.getValue(), replicationFactor)))
                                .all().get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            Map<String, TopicDescription> described = admin.describeTopics(topics.keySet()).allTopicNames().get(30, TimeUnit.SECONDS);
            for (Map.Entry<String, Integer> t : topics.entrySet()) {
                int have = described.get(t.getKey()).partitions().size();
                if (have < t.getValue()) {
                    admin.createPartitions(Map.of(t.getKey(), NewPartitions.increaseTo(t.getValue()))).all().get(30, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + topics.keySet() + " on " + bootstrapServers + ": " + e.getMessage(), e);
        }
    }
}
