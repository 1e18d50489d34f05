package dev.trace2skill.ingest;

import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.service.TopicAdmin;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates the pipeline's topics at start-up. The analysis topic gets {@code t2s.topics.analysis-partitions} partitions
 * (default 64), because partitions bound how many analyst workers can share it; existing topics with fewer are grown.
 */
@ApplicationScoped
public class Topology {
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

    void onStart(@Observes @Priority(10) StartupEvent ev) {
        if (!create) {
            return;
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(Topics.ANALYSIS_JOBS, analysisPartitions);
        for (String t : new String[]{Topics.RUNS, Topics.SKILL_PATCHES, Topics.RUN_EVENTS, Topics.SKILLS_EVOLVED,
                Topics.DRAFT_REQUESTS, Topics.SKILL_DRAFTS, Topics.ANALYSIS_JOBS_DLQ, "trace-ingest-dlq"}) {
            topics.put(t, partitions);
        }
        TopicAdmin.ensure(bootstrap, topics, replicationFactor);
    }
}
