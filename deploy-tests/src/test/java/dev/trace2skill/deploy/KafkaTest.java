package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Strimzi Kafka resources and the clients' connection settings (plaintext, SASL, TLS). */
class KafkaTest {
    /** Every topic a service reads, dead-letters to, or that the code names in Topics and PipelineTopics. */
    static Set<String> topicsInCode() {
        Set<String> topics = new TreeSet<>();
        for (String s : Repo.SERVICES) {
            Properties p = Repo.applicationProperties(s);
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith("mp.messaging.") && (k.endsWith(".topic"))) {
                    topics.add(p.getProperty(k));
                }
            }
        }
        Pattern constant = Pattern.compile("public static final String [A-Z_]+ = \"([a-z-]+)\";");
        Pattern literal = Pattern.compile("\"([a-z]+(-[a-z]+)*-dlq)\"");
        for (var f : Repo.mainJavaSources()) {
            String name = f.getFileName().toString();
            if (name.equals("Topics.java") || name.equals("PipelineTopics.java")) {
                String src = Repo.read(f);
                Matcher m = constant.matcher(src);
                while (m.find()) {
                    topics.add(m.group(1));
                }
                m = literal.matcher(src);
                while (m.find()) {
                    topics.add(m.group(1));
                }
            }
        }
        return topics;
    }

    @Test
    void strimziTopicsCoverEveryTopicOfThePipeline() {
        Manifests m = Chart.render("strimzi-cnpg-values.yaml");
        Set<String> declared = m.ofKind("KafkaTopic").map(t -> t.at("/spec/topicName").asText()).collect(Collectors.toSet());
        Set<String> code = topicsInCode();
        assertThat(code).contains("analysis-jobs", "skill-patches", "analysis-jobs-dlq", "trace-ingest-dlq", "merger-dlq",
                "evaluator-dlq", "eval-tasks", "eval-results");
        assertThat(declared).containsExactlyInAnyOrderElementsOf(code);
        for (ObjectNode t : m.all("KafkaTopic")) {
            assertThat(t.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(Chart.RELEASE + "-kafka");
            assertThat(t.at("/spec/replicas").asInt()).isEqualTo(3);
            int expected = t.at("/spec/topicName").asText().equals("analysis-jobs") ? 64 : 8;
            assertThat(t.at("/spec/partitions").asInt()).as(t.at("/spec/topicName").asText()).isEqualTo(expected);
        }
        // the operator owns the topics, so the services must not create them
        for (ObjectNode c : m.all("ConfigMap")) {
            if (c.at("/data").has("T2S_TOPICS_CREATE")) {
                assertThat(c.at("/data/T2S_TOPICS_CREATE").asText()).isEqualTo("false");
                assertThat(c.at("/data/KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo(Chart.RELEASE + "-kafka-kafka-bootstrap:9092");
            }
        }
        ObjectNode kafka = m.get("Kafka", Chart.RELEASE + "-kafka");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1kraft").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText()).isEqualTo("enabled");
        JsonNode pool = m.get("KafkaNodePool", Chart.RELEASE + "-kafka-dual");
        assertThat(pool.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(Chart.RELEASE + "-kafka");
        assertThat(pool.at("/spec/roles").toString()).contains("controller", "broker");
        assertThat(m.all("KafkaUser")).isEmpty();
    }

    @Test
    void strimziScramGivesTheServicesTheUsersJaasLineAndTheClusterCa() {
        Manifests m = Chart.render("all-on-values.yaml");
        JsonNode listener = m.get("Kafka", "t2s-kafka").at("/spec/kafka/listeners");
        assertThat(listener.size()).as("no unauthenticated listener").isEqualTo(1);
        assertThat(listener.at("/0/authentication/type").asText()).isEqualTo("scram-sha-512");
        assertThat(m.get("KafkaUser", Chart.RELEASE + "-app").at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("t2s-kafka");
        for (String s : Repo.SERVICES) {
            JsonNode data = m.get("ConfigMap", Chart.RELEASE + "-" + s).path("data");
            assertThat(data.path("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
            assertThat(data.path("KAFKA_SASL_MECHANISM").asText()).isEqualTo("SCRAM-SHA-512");
            assertThat(data.path("KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("t2s-kafka-kafka-bootstrap:9093");
            ObjectNode d = m.get("Deployment", Chart.RELEASE + "-" + s);
            JsonNode jaas = env(d, "KAFKA_SASL_JAAS_CONFIG");
            assertThat(jaas.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(Chart.RELEASE + "-app");
            assertThat(jaas.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("sasl.jaas.config");
            assertThat(Manifests.podSpec(d).path("volumes").findValuesAsText("secretName")).contains("t2s-kafka-cluster-ca-cert");
            assertThat(data.path("KAFKA_SSL_TRUSTSTORE_LOCATION").asText()).isEqualTo("/etc/trace2skill/kafka-ca/ca.crt");
        }
    }

    @Test
    void externalSaslTlsBuildsTheJaasLineFromSecrets() {
        Manifests m = Chart.render("external-sasl-tls-values.yaml");
        ObjectNode d = m.get("Deployment", Chart.RELEASE + "-merger");
        assertThat(env(d, "T2S_KAFKA_SASL_USERNAME").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("kafka-client");
        assertThat(env(d, "T2S_KAFKA_SASL_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
        assertThat(env(d, "KAFKA_SASL_JAAS_CONFIG").path("value").asText())
                .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required")
                .contains("username=\"$(T2S_KAFKA_SASL_USERNAME)\"");
        // $(VAR) expands only from variables defined before it
        List<String> names = ServiceConfigTest.envNames(Manifests.containers(d).getFirst());
        assertThat(names.indexOf("T2S_KAFKA_SASL_PASSWORD")).isLessThan(names.indexOf("KAFKA_SASL_JAAS_CONFIG"));
        JsonNode data = m.get("ConfigMap", Chart.RELEASE + "-merger").path("data");
        assertThat(data.path("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
        assertThat(data.path("KAFKA_SASL_MECHANISM").asText()).isEqualTo("SCRAM-SHA-256");
        assertThat(data.path("T2S_TOPICS_CREATE").asText()).isEqualTo("false");
        assertThat(Manifests.podSpec(d).at("/volumes").toString()).contains("\"secretName\":\"kafka-ca\"", "\"key\":\"ca.pem\"");

        assertThat(Chart.render("default").get("ConfigMap", Chart.RELEASE + "-merger").path("data").has("KAFKA_SECURITY_PROTOCOL"))
                .isFalse();
        assertThat(Chart.render("external-sasl-tls-values.yaml", Chart.sets("kafka.external.sasl.mechanism", "PLAIN"))
                .get("ScaledObject", Chart.RELEASE + "-analyst-worker").at("/spec/triggers/0/metadata/sasl").asText())
                .isEqualTo("plaintext");
    }

    @Test
    void servicesCreateTopicsOverSaslAndTlsToo() {
        // the services' topic admin uses the same kafka.* client settings as their producers and consumers
        Manifests m = Chart.render("external-sasl-tls-values.yaml", Chart.sets("kafka.topics.create", true));
        JsonNode data = m.get("ConfigMap", Chart.RELEASE + "-trace-ingest").path("data");
        assertThat(data.path("T2S_TOPICS_CREATE").asText()).isEqualTo("true");
        assertThat(data.path("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
    }

    @Test
    void inconsistentKafkaSettingsFailTheRender() {
        assertThatThrownBy(() -> Chart.render("strimzi-cnpg-values.yaml", Chart.sets("kafka.topics.replicationFactor", 4)))
                .hasMessageContaining("exceeds the Strimzi brokers");
        assertThatThrownBy(() -> Chart.render("strimzi-cnpg-values.yaml", Chart.sets("kafka.topics.replicationFactor", 1)))
                .hasMessageContaining("min.insync.replicas (2) exceeds");
        assertThatThrownBy(() -> Chart.render("strimzi-cnpg-values.yaml", Chart.sets("kafka.external.sasl.enabled", true)))
                .hasMessageContaining("apply to an external Kafka");
    }

    @Test
    void cnpgConnectionComesFromTheOperatorsAppSecret() {
        Manifests m = Chart.render("strimzi-cnpg-values.yaml");
        JsonNode cluster = m.get("Cluster", Chart.RELEASE + "-pg");
        assertThat(cluster.at("/spec/instances").asInt()).isEqualTo(2);
        assertThat(cluster.at("/spec/storage/storageClass").asText()).isEqualTo("fast-ssd");
        for (String s : Repo.SERVICES) {
            ObjectNode d = m.get("Deployment", Chart.RELEASE + "-" + s);
            assertThat(m.get("ConfigMap", Chart.RELEASE + "-" + s).at("/data/T2S_DATASOURCE_JDBC_URL").asText())
                    .isEqualTo("jdbc:postgresql://" + Chart.RELEASE + "-pg-rw:5432/trace2skill");
            assertThat(env(d, "T2S_DATASOURCE_USERNAME").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(Chart.RELEASE + "-pg-app");
            assertThat(env(d, "T2S_DATASOURCE_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
        }
    }

    static JsonNode env(JsonNode deployment, String name) {
        for (JsonNode e : Manifests.containers(deployment).getFirst().path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError(Manifests.id(deployment) + " has no env " + name);
    }
}
