package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The validators themselves: each route rejects a field its schema does not define, and accepts the original. */
class SchemaValidatorTest {
    private static ObjectNode first(String valueSet, String kind) {
        return Chart.render(valueSet).ofKind(kind).findFirst().orElseThrow().deepCopy();
    }

    @Test
    void coreModelsRejectUnknownAndMistypedFields() {
        ObjectNode d = first("default", "Deployment");
        assertThat(SchemaValidator.validate(d)).isEmpty();
        ObjectNode container = (ObjectNode) d.path("spec").path("template").path("spec").path("containers").get(0);
        container.put("imagePullPolcy", "Always");
        assertThat(SchemaValidator.validate(d)).singleElement().asString().contains("imagePullPolcy");

        ObjectNode d2 = first("default", "Deployment");
        ((ObjectNode) d2.path("spec")).put("replicas", "two");
        assertThat(SchemaValidator.validate(d2)).isNotEmpty();

        ObjectNode d3 = first("default", "Deployment");
        ((ObjectNode) d3.path("spec").path("template").path("spec").path("containers").get(0)).remove("name");
        assertThat(SchemaValidator.validate(d3)).as("a container without its required name").isNotEmpty();

        ObjectNode svc = first("default", "Service");
        ((ObjectNode) svc.path("spec").path("ports").get(0)).put("prot", 80);
        assertThat(SchemaValidator.validate(svc)).singleElement().asString().contains("prot");
    }

    @Test
    void strimziModelRejectsUnknownFieldsAtAnyDepth() {
        ObjectNode kafka = first("strimzi-cnpg-values.yaml", "Kafka");
        assertThat(SchemaValidator.validate(kafka)).isEmpty();
        ((ObjectNode) ((ArrayNode) kafka.path("spec").path("kafka").path("listeners")).get(0)).put("tlss", true);
        assertThat(SchemaValidator.validate(kafka)).singleElement().asString().contains("tlss");

        ObjectNode topic = first("strimzi-cnpg-values.yaml", "KafkaTopic");
        ((ObjectNode) topic.path("spec")).put("partition", 3);
        assertThat(SchemaValidator.validate(topic)).singleElement().asString().contains("partition");
    }

    @Test
    void prometheusOperatorModelRejectsUnknownFields() {
        ObjectNode sm = first("keda-monitoring-values.yaml", "ServiceMonitor");
        assertThat(SchemaValidator.validate(sm)).isEmpty();
        ((ObjectNode) sm.path("spec").path("endpoints").get(0)).put("paths", "/q/metrics");
        assertThat(SchemaValidator.validate(sm)).singleElement().asString().contains("paths");

        ObjectNode rule = first("keda-monitoring-values.yaml", "PrometheusRule");
        ((ObjectNode) rule.path("spec").path("groups").get(0).path("rules").get(0)).put("severity", "page");
        assertThat(SchemaValidator.validate(rule)).singleElement().asString().contains("severity");
    }

    @Test
    void crdSubsetsRejectUnknownFieldsAndMissingRequiredOnes() {
        ObjectNode so = first("keda-monitoring-values.yaml", "ScaledObject");
        assertThat(SchemaValidator.validate(so)).isEmpty();
        ((ObjectNode) so.path("spec")).put("maxReplicas", 3);
        assertThat(SchemaValidator.validate(so)).isNotEmpty();

        ObjectNode so2 = first("keda-monitoring-values.yaml", "ScaledObject");
        ((ObjectNode) so2.path("spec").path("triggers").get(0)).remove("type");
        assertThat(SchemaValidator.validate(so2)).isNotEmpty();

        ObjectNode so3 = first("keda-monitoring-values.yaml", "ScaledObject");
        ((ObjectNode) so3.path("spec").path("triggers").get(0).path("metadata")).put("lagThreshold", 5);
        assertThat(SchemaValidator.validate(so3)).as("trigger metadata values are strings").isNotEmpty();

        ObjectNode cluster = first("strimzi-cnpg-values.yaml", "Cluster");
        assertThat(SchemaValidator.validate(cluster)).isEmpty();
        ((ObjectNode) cluster.path("spec")).put("replicas", 3);
        assertThat(SchemaValidator.validate(cluster)).isNotEmpty();

        ObjectNode ta = first("external-sasl-tls-values.yaml", "TriggerAuthentication");
        assertThat(SchemaValidator.validate(ta)).isEmpty();
        ((ObjectNode) ta.path("spec").path("secretTargetRef").get(0)).remove("key");
        assertThat(SchemaValidator.validate(ta)).isNotEmpty();
    }

    @Test
    void anUnknownKindIsAnError() {
        ObjectNode o = Manifests.JSON.createObjectNode();
        o.put("apiVersion", "example.com/v1").put("kind", "Widget").putObject("metadata").put("name", "w");
        assertThat(SchemaValidator.validate(o)).singleElement().asString().contains("no schema known");
    }
}
