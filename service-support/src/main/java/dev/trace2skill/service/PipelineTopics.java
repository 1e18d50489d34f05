package dev.trace2skill.service;

import dev.trace2skill.core.pipeline.Topics;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates the pipeline's topics at start-up, before the messaging connectors subscribe (a consumer subscribing to a
 * missing topic would have it auto-created with one partition). The analysis topic gets
 * {@code t2s.topics.analysis-partitions} partitions (default 64) because partitions bound how many analyst workers can
 * share it; existing topics with fewer partitions are grown. The admin client connects with the same Kafka settings
 * as the services' producers and consumers (SASL, TLS). Off with {@code t2s.topics.create=false} where an operator
 * (e.g. Strimzi KafkaTopic resources) owns the topics.
 */
@ApplicationScoped
public class PipelineTopics {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "t2s.topics.analysis-partitions", defaultValue = "64")
    int analysisPartitions;
    @ConfigProperty(name = "t2s.topics.partitions", defaultValue = "8")
    int partitions;
    @ConfigProperty(name = "t2s.topics.replication-factor", defaultValue = "1")
    short replicationFactor;
    @ConfigProperty(name = "t2s.topics.create", defaultValue = "true")
    boolean create;
    /** The connector's Kafka client settings ({@code kafka.*}: security protocol, SASL, TLS), as the producers use them. */
    @jakarta.inject.Inject
    @io.smallrye.common.annotation.Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    void onStart(@Observes @Priority(10) StartupEvent ev) {
        if (create) {
            Map<String, Object> client = new java.util.HashMap<>(kafkaConfig);
            client.put("bootstrap.servers", bootstrap);
            TopicAdmin.ensure(client, topics(analysisPartitions, partitions), replicationFactor);
        }
    }

    public static Map<String, Integer> topics(int analysisPartitions, int partitions) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(Topics.ANALYSIS_JOBS, analysisPartitions);
        for (String t : new String[]{Topics.RUNS, Topics.SKILL_PATCHES, Topics.RUN_EVENTS, Topics.SKILLS_EVOLVED,
                Topics.DRAFT_REQUESTS, Topics.SKILL_DRAFTS, Topics.ANALYSIS_JOBS_DLQ, Topics.EVAL_TASKS, Topics.EVAL_RESULTS,
                "trace-ingest-dlq", "merger-dlq", "evaluator-dlq"}) {
            topics.put(t, partitions);
        }
        return topics;
    }
}
