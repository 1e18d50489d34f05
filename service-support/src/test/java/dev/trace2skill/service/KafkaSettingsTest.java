package dev.trace2skill.service;

import dev.trace2skill.core.pipeline.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the services hand to Kafka: the admin client's settings, the pipeline's topics, outgoing records' metadata. */
class KafkaSettingsTest {
    @Test
    void theAdminClientKeepsTheSecuritySettingsAndDropsClientOnlyOnes() {
        Map<String, Object> admin = TopicAdmin.adminConfig(Map.of(
                "bootstrap.servers", "broker:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.location", "/etc/kafka/ca.p12",
                "acks", "all",
                "group.id", "trace-ingest",
                "metadata.max.age.ms", "30000"));
        assertThat(admin).containsEntry("bootstrap.servers", "broker:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("sasl.jaas.config")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12").containsEntry("metadata.max.age.ms", "30000")
                .doesNotContainKeys("acks", "group.id")
                .containsEntry("request.timeout.ms", 15_000).containsEntry("default.api.timeout.ms", 30_000);
    }

    @Test
    void theAnalysisTopicGetsItsOwnPartitionCountAndEveryOtherTopicTheCommonOne() {
        Map<String, Integer> topics = PipelineTopics.topics(64, 8);
        assertThat(topics).containsEntry(Topics.ANALYSIS_JOBS, 64).containsEntry(Topics.SKILL_PATCHES, 8)
                .containsEntry(Topics.RUNS, 8).containsEntry(Topics.EVAL_TASKS, 8)
                .containsKeys("trace-ingest-dlq", "merger-dlq", "evaluator-dlq", Topics.ANALYSIS_JOBS_DLQ);
        assertThat(topics.keySet()).first().isEqualTo(Topics.ANALYSIS_JOBS);
    }

    @Test
    @SuppressWarnings("unchecked")
    void outgoingRecordsCarryTheirKeyAndTheChosenPartition() {
        Message<String> keyed = Outgoing.keyed("run-1", "{}");
        OutgoingKafkaRecordMetadata<String> k = keyed.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        assertThat(keyed.getPayload()).isEqualTo("{}");
        assertThat(k.getKey()).isEqualTo("run-1");
        assertThat(k.getPartition()).isEqualTo(-1);

        Message<String> placed = Outgoing.toPartition(5, "run-1:t-9", "{\"job\":1}");
        OutgoingKafkaRecordMetadata<String> p = placed.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        assertThat(p.getKey()).isEqualTo("run-1:t-9");
        assertThat(p.getPartition()).isEqualTo(5);
        assertThat(p.getTopic()).as("the channel's topic").isNull();
    }
}
