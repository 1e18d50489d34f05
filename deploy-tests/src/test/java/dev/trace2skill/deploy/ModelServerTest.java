package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The optional vLLM server (GPU requests, scheduling, weights claim) and each stage's model setting. */
class ModelServerTest {
    private static final String VLLM = Chart.RELEASE + "-vllm";

    static List<String> valueSets() {
        return Chart.valueSets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void onlyTheVllmPodRequestsGpusAndOnlyWhenEnabled(String valueSet) {
        Manifests m = Chart.render(valueSet);
        boolean enabled = Chart.values(valueSet).at("/models/vllm/enabled").asBoolean();
        for (ObjectNode d : m.all("Deployment")) {
            for (JsonNode c : Manifests.containers(d)) {
                boolean gpu = c.at("/resources/limits").has("nvidia.com/gpu") || c.at("/resources/requests").has("nvidia.com/gpu");
                assertThat(gpu).as(valueSet + " " + Manifests.id(d)).isEqualTo(enabled && Manifests.name(d).equals(VLLM));
            }
        }
        assertThat(m.find("Deployment", VLLM).isPresent()).isEqualTo(enabled);
        assertThat(m.find("Service", VLLM).isPresent()).isEqualTo(enabled);
    }

    @Test
    void theVllmPodRunsOnGpuNodesWithItsModelAndWeightsClaim() {
        Manifests m = Chart.render("vllm-values.yaml");
        ObjectNode d = m.get("Deployment", VLLM);
        JsonNode c = Manifests.containers(d).getFirst();
        assertThat(c.at("/resources/limits/nvidia.com~1gpu").asText()).isEqualTo("2");
        assertThat(c.at("/resources/requests/nvidia.com~1gpu").asText()).isEqualTo("2");
        JsonNode pod = Manifests.podSpec(d);
        assertThat(pod.at("/nodeSelector/nvidia.com~1gpu.product").asText()).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(pod.at("/tolerations/0/key").asText()).isEqualTo("nvidia.com/gpu");
        List<String> args = new java.util.ArrayList<>();
        for (JsonNode a : c.path("args")) {
            args.add(a.asText());
        }
        assertThat(args.getFirst()).isEqualTo("Qwen/Qwen2.5-14B-Instruct");
        assertThat(args).containsSubsequence("--served-model-name", "qwen2.5-14b")
                .containsSubsequence("--tensor-parallel-size", "2")
                .containsSubsequence("--max-num-seqs", "128")
                .contains("--enable-prefix-caching");
        assertThat(d.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(d.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
        JsonNode claim = m.get("PersistentVolumeClaim", VLLM);
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("100Gi");
        assertThat(claim.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteMany");
        assertThat(pod.path("volumes").findValuesAsText("claimName")).containsExactly(VLLM);
        assertThat(ServiceConfigTest.envNames(c)).contains("HF_HOME", "HF_TOKEN");
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health");
    }

    @Test
    void eachStageHasItsOwnModelSetting() {
        Manifests m = Chart.render("vllm-values.yaml");
        JsonNode worker = m.get("ConfigMap", Chart.RELEASE + "-analyst-worker").path("data");
        JsonNode merger = m.get("ConfigMap", Chart.RELEASE + "-merger").path("data");
        JsonNode evaluator = m.get("ConfigMap", Chart.RELEASE + "-evaluator").path("data");
        assertThat(worker.path("T2S_MODEL_BASE_URL").asText()).isEqualTo("http://" + VLLM + ":8000/v1");
        assertThat(worker.path("T2S_MODEL_NAME").asText()).isEqualTo("qwen2.5-14b");
        assertThat(merger.path("T2S_MODEL_BASE_URL").asText()).isEqualTo("https://api.openai.com/v1");
        assertThat(merger.path("T2S_MODEL_NAME").asText()).isEqualTo("gpt-4o");
        assertThat(evaluator.path("T2S_MODEL_BASE_URL").asText()).isEqualTo("http://" + VLLM + ":8000/v1");
        assertThat(evaluator.path("T2S_MODEL_NAME").asText()).isEqualTo("qwen2.5-14b");
        assertThat(m.get("ConfigMap", Chart.RELEASE + "-trace-ingest").path("data").has("T2S_MODEL_NAME"))
                .as("trace-ingest calls no model").isFalse();

        Manifests ext = Chart.render("external-sasl-tls-values.yaml");
        assertThat(ext.get("ConfigMap", Chart.RELEASE + "-analyst-worker").at("/data/T2S_MODEL_NAME").asText()).isEqualTo("gpt-4o-mini");
        assertThat(ext.get("ConfigMap", Chart.RELEASE + "-merger").at("/data/T2S_MODEL_NAME").asText()).isEqualTo("gpt-4o");
        JsonNode key = Manifests.containers(ext.get("Deployment", Chart.RELEASE + "-analyst-worker")).getFirst().path("env")
                .findParents("name").stream().filter(e -> e.path("name").asText().equals("T2S_MODEL_API_KEY")).findFirst().orElseThrow();
        assertThat(key.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("openai");
        assertThat(key.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("api-key");
    }

    @Test
    void theWorkerGetsItsConcurrencySettings() {
        JsonNode data = Chart.render("external-sasl-tls-values.yaml").get("ConfigMap", Chart.RELEASE + "-analyst-worker").path("data");
        assertThat(data.path("T2S_WORKER_MAX_IN_FLIGHT").asText()).isEqualTo("128");
        assertThat(data.path("T2S_MODEL_MAX_CONCURRENT").asText()).isEqualTo("32");
    }
}
