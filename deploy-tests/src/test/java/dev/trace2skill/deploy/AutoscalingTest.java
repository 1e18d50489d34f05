package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KEDA on the analysis topic's lag, the CPU HPA fallback, and partitions >= the most workers there can be. */
class AutoscalingTest {
    private static final String WORKER = Chart.RELEASE + "-analyst-worker";
    private static final Properties WORKER_PROPS = Repo.applicationProperties("analyst-worker");

    static List<String> valueSets() {
        return Chart.valueSets();
    }

    @Test
    void theScaledObjectWatchesTheTopicAndGroupTheWorkersConsume() {
        String topic = WORKER_PROPS.getProperty("mp.messaging.incoming.analysis-jobs.topic");
        String group = WORKER_PROPS.getProperty("mp.messaging.incoming.analysis-jobs.group.id");
        String reset = WORKER_PROPS.getProperty("mp.messaging.incoming.analysis-jobs.auto.offset.reset");
        assertThat(topic).isEqualTo("analysis-jobs");
        assertThat(group).isNotBlank();
        for (String set : List.of("keda-monitoring-values.yaml", "external-sasl-tls-values.yaml", "strimzi-cnpg-values.yaml",
                "all-on-values.yaml")) {
            Manifests m = Chart.render(set);
            JsonNode so = m.get("ScaledObject", WORKER);
            assertThat(so.at("/spec/scaleTargetRef/name").asText()).isEqualTo(WORKER);
            assertThat(so.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
            JsonNode trigger = so.at("/spec/triggers/0");
            assertThat(so.at("/spec/triggers").size()).isEqualTo(1);
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            JsonNode md = trigger.path("metadata");
            assertThat(md.path("topic").asText()).as(set).isEqualTo(topic);
            assertThat(md.path("consumerGroup").asText()).as(set).isEqualTo(group);
            // a group without committed offsets counts its lag from where the workers would start reading
            assertThat(md.path("offsetResetPolicy").asText()).as(set).isEqualTo(reset);
            // KEDA reads the same brokers the worker does
            assertThat(md.path("bootstrapServers").asText())
                    .isEqualTo(m.get("ConfigMap", WORKER).at("/data/KAFKA_BOOTSTRAP_SERVERS").asText());
            JsonNode values = Chart.values(set).at("/analystWorker/autoscaling/keda");
            assertThat(so.at("/spec/minReplicaCount").asInt()).isEqualTo(values.path("minReplicas").asInt());
            assertThat(so.at("/spec/maxReplicaCount").asInt()).isEqualTo(values.path("maxReplicas").asInt());
            assertThat(so.at("/spec/cooldownPeriod").asInt()).isEqualTo(values.path("cooldownPeriod").asInt());
            assertThat(md.path("lagThreshold").asText()).isEqualTo(values.path("lagThreshold").asText());
            // KEDA owns the replica count: the Deployment leaves it alone, and no HPA of ours competes
            assertThat(m.get("Deployment", WORKER).at("/spec").has("replicas")).isFalse();
            assertThat(m.all("HorizontalPodAutoscaler")).isEmpty();
        }
    }

    @Test
    void kedaAuthenticatesWhereTheWorkersDo() {
        Manifests m = Chart.render("external-sasl-tls-values.yaml");
        JsonNode md = m.get("ScaledObject", WORKER).at("/spec/triggers/0/metadata");
        assertThat(md.path("sasl").asText()).isEqualTo("scram_sha256");
        assertThat(md.path("tls").asText()).isEqualTo("enable");
        JsonNode ta = m.get("TriggerAuthentication", m.get("ScaledObject", WORKER)
                .at("/spec/triggers/0/authenticationRef/name").asText());
        assertThat(ta.at("/spec/secretTargetRef").findValuesAsText("parameter")).containsExactlyInAnyOrder("password", "ca");
        assertThat(ta.at("/spec/secretTargetRef/0/name").asText()).isEqualTo("kafka-client");
        assertThat(ta.at("/spec/env/0/name").asText()).isEqualTo("T2S_KAFKA_SASL_USERNAME");
        assertThat(ta.at("/spec/env/0/containerName").asText()).isEqualTo("analyst-worker");
        // the variable KEDA reads exists in the worker container
        assertThat(ServiceConfigTest.envNames(Manifests.containers(m.get("Deployment", WORKER)).getFirst()))
                .contains("T2S_KAFKA_SASL_USERNAME");

        Manifests plain = Chart.render("keda-monitoring-values.yaml");
        assertThat(plain.get("ScaledObject", WORKER).at("/spec/triggers/0").has("authenticationRef")).isFalse();
        assertThat(plain.all("TriggerAuthentication")).isEmpty();
    }

    @Test
    void withoutKedaTheCpuHpaScalesTheWorkers() {
        Manifests m = Chart.render("default");
        assertThat(m.all("ScaledObject")).isEmpty();
        JsonNode hpa = m.get("HorizontalPodAutoscaler", WORKER);
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(WORKER);
        assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
        assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(70);
        assertThat(m.get("Deployment", WORKER).at("/spec").has("replicas")).isFalse();

        Manifests fixed = Chart.render("minimal-values.yaml");
        assertThat(fixed.all("HorizontalPodAutoscaler")).isEmpty();
        assertThat(fixed.all("ScaledObject")).isEmpty();
        assertThat(fixed.get("Deployment", WORKER).at("/spec/replicas").asInt()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void theAnalysisTopicHasAtLeastAsManyPartitionsAsWorkersCanRun(String valueSet) {
        Manifests m = Chart.render(valueSet);
        int max = m.find("ScaledObject", WORKER).map(so -> so.at("/spec/maxReplicaCount").asInt())
                .or(() -> m.find("HorizontalPodAutoscaler", WORKER).map(h -> h.at("/spec/maxReplicas").asInt()))
                .orElseGet(() -> m.get("Deployment", WORKER).at("/spec/replicas").asInt());
        int partitions = Integer.parseInt(m.get("ConfigMap", WORKER).at("/data/T2S_TOPICS_ANALYSIS_PARTITIONS").asText());
        assertThat(partitions).isGreaterThanOrEqualTo(max);
        m.find("KafkaTopic", Chart.RELEASE + "-analysis-jobs").ifPresent(t ->
                assertThat(t.at("/spec/partitions").asInt()).isEqualTo(partitions));
    }

    @Test
    void theChartRefusesFewerPartitionsThanWorkers() {
        assertThatThrownBy(() -> Chart.render("keda-monitoring-values.yaml",
                Chart.sets("kafka.topics.analysisPartitions", 47)))
                .hasMessageContaining("analysisPartitions (47) must be >= the analyst workers' maximum replica count (48)");
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("analystWorker.autoscaling.hpa.maxReplicas", 65)))
                .hasMessageContaining("maximum replica count (65)");
        assertThatThrownBy(() -> Chart.render("minimal-values.yaml", Chart.sets("analystWorker.replicas", 4)))
                .hasMessageContaining("analysisPartitions (3)");
        // equal is enough
        assertThat(Chart.render("keda-monitoring-values.yaml", Chart.sets("kafka.topics.analysisPartitions", 48))
                .get("ScaledObject", WORKER).at("/spec/maxReplicaCount").asInt()).isEqualTo(48);
    }

    @Test
    void scaleToZeroSetsTheIdleReplicaCount() {
        assertThat(Chart.render("keda-monitoring-values.yaml").get("ScaledObject", WORKER).at("/spec/idleReplicaCount").asInt())
                .isZero();
        assertThat(Chart.render("strimzi-cnpg-values.yaml").get("ScaledObject", WORKER).at("/spec").has("idleReplicaCount"))
                .isFalse();
    }

    @Test
    void workersSpreadOverZonesAndNodes() {
        JsonNode spec = Manifests.podSpec(Chart.render("default").get("Deployment", WORKER));
        assertThat(spec.path("topologySpreadConstraints").findValuesAsText("topologyKey"))
                .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        assertThat(spec.path("topologySpreadConstraints").findValuesAsText("whenUnsatisfiable")).containsOnly("ScheduleAnyway");
        assertThat(spec.at("/topologySpreadConstraints/0/labelSelector/matchLabels/app.kubernetes.io~1component").asText())
                .isEqualTo("analyst-worker");
    }
}
