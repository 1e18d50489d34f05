package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** values.schema.json describes every value, closes every structured object, and helm enforces it. */
class ValuesSchemaTest {
    private static final JsonNode SCHEMA = Chart.readYaml(Repo.chart().resolve("values.schema.json"));

    /** Every key of the values, at every depth, has a schema; free-form maps (no "properties") end the walk. */
    private static void covered(JsonNode value, JsonNode schema, String path, List<String> missing) {
        if (schema == null || schema.isMissingNode()) {
            missing.add(path);
            return;
        }
        if (value.isObject() && schema.has("properties")) {
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                covered(e.getValue(), schema.path("properties").get(e.getKey()), path + "." + e.getKey(), missing);
            }
        } else if (value.isArray() && schema.has("items")) {
            for (JsonNode item : value) {
                covered(item, schema.get("items"), path + "[]", missing);
            }
        }
    }

    private static void closed(JsonNode schema, String path, List<String> open) {
        if (schema.has("properties")) {
            if (!schema.path("additionalProperties").isBoolean() || schema.path("additionalProperties").asBoolean()) {
                open.add(path);
            }
            for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
                closed(e.getValue(), path + "." + e.getKey(), open);
            }
        }
        if (schema.has("items")) {
            closed(schema.get("items"), path + "[]", open);
        }
    }

    @Test
    void everyValueHasASchema() {
        for (String set : Chart.valueSets()) {
            List<String> missing = new ArrayList<>();
            covered(Chart.values(set), SCHEMA, "", missing);
            assertThat(missing).as(set).isEmpty();
        }
    }

    @Test
    void everyStructuredObjectRejectsUnknownKeys() {
        List<String> open = new ArrayList<>();
        closed(SCHEMA, "", open);
        assertThat(open).isEmpty();
        // the free-form maps are exactly these: labels, annotations, selectors, resources, affinity, pass-through config
        List<String> free = new ArrayList<>();
        collectFree(SCHEMA, "", free);
        assertThat(free).allSatisfy(p -> assertThat(p).matches(
                ".*(labels|Labels|annotations|Annotations|Selector|nodeSelector|affinity|config|parameters|requests|limits|valueFrom|global|ingestFrom\\[])$"));
    }

    private static void collectFree(JsonNode schema, String path, List<String> out) {
        if ("object".equals(schema.path("type").asText()) && !schema.has("properties")) {
            out.add(path);
        }
        for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
            collectFree(e.getValue(), path + "." + e.getKey(), out);
        }
        if (schema.has("items")) {
            collectFree(schema.get("items"), path + "[]", out);
        }
    }

    @Test
    void everyValuesSetValidates() {
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(SCHEMA);
        for (String set : Chart.valueSets()) {
            assertThat(schema.validate(Chart.values(set))).as(set).isEmpty();
        }
    }

    @Test
    void helmRejectsUnknownAndMistypedValues() {
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("analystWorker.autoscaling.keda.maxReplica", 8)))
                .hasMessageContaining("maxReplica");
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("kafka.topics.analysisPartitions", "many")))
                .hasMessageContaining("analysisPartitions");
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("image.variant", "wasm")))
                .hasMessageContaining("variant");
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("models.vllm.enabled", true, "models.vllm.gpus", 0)))
                .hasMessageContaining("gpus");
    }

    @Test
    void crossValueRulesFailTheRender() {
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("secrets.create", false)))
                .hasMessageContaining("secrets.existingSecret");
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("ingress.enabled", true, "ingress.tls.enabled", true)))
                .hasMessageContaining("ingress.tls.secretName");
        assertThatThrownBy(() -> Chart.render("vllm-values.yaml", Chart.sets("models.vllm.persistence.accessModes[0]", "ReadWriteOnce")))
                .hasMessageContaining("ReadWriteMany");
        assertThatThrownBy(() -> Chart.render("keda-monitoring-values.yaml", Chart.sets("analystWorker.autoscaling.keda.minReplicas", 0)))
                .hasMessageContaining("scaleToZero needs minReplicas >= 1");
    }
}
