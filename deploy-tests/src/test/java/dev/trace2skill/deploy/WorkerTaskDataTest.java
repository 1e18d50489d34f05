package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Error analysts replay evaluator episodes in the task's environment, so the workers mount the task data the way the
 * evaluator does ({@code analystWorker.data.existingClaim}, read-only, {@code T2S_WORKER_DATA_DIR}) when a claim is given.
 */
class WorkerTaskDataTest {
    private static final String WORKER = Chart.RELEASE + "-analyst-worker";
    private static final String EVALUATOR = Chart.RELEASE + "-evaluator";

    @Test
    void workersMountTheTaskDataReadOnlyWhenAClaimIsGiven() {
        Manifests m = Chart.render("all-on-values.yaml");
        for (String name : new String[] {WORKER, EVALUATOR}) {
            JsonNode deployment = m.get("Deployment", name);
            JsonNode spec = Manifests.podSpec(deployment);
            JsonNode volume = null;
            for (JsonNode v : spec.path("volumes")) {
                if (v.path("name").asText().equals("task-data")) {
                    volume = v;
                }
            }
            assertThat(volume).as(name).isNotNull();
            assertThat(volume.at("/persistentVolumeClaim/claimName").asText()).isEqualTo("trace2skill-task-data");
            assertThat(volume.at("/persistentVolumeClaim/readOnly").asBoolean()).isTrue();
            JsonNode mount = null;
            for (JsonNode vm : Manifests.containers(deployment).getFirst().path("volumeMounts")) {
                if (vm.path("name").asText().equals("task-data")) {
                    mount = vm;
                }
            }
            assertThat(mount).as(name).isNotNull();
            assertThat(mount.path("mountPath").asText()).isEqualTo("/data");
            assertThat(mount.path("readOnly").asBoolean()).isTrue();
            assertThat(m.get("ConfigMap", name).at(name.equals(WORKER) ? "/data/T2S_WORKER_DATA_DIR" : "/data/T2S_DATA_DIR").asText())
                    .isEqualTo("/data");
        }
        assertThat(m.get("ConfigMap", WORKER).path("data").has("T2S_WORKER_REVEAL_EXPECTED")).as("hidden unless asked").isFalse();
    }

    @Test
    void withoutAClaimWorkersMountNothingAndSetNoDataFolder() {
        Manifests m = Chart.render("default");
        JsonNode deployment = m.get("Deployment", WORKER);
        assertThat(Manifests.podSpec(deployment).path("volumes").findValuesAsText("name")).doesNotContain("task-data");
        assertThat(m.get("ConfigMap", WORKER).path("data").has("T2S_WORKER_DATA_DIR")).isFalse();
        assertThat(Chart.render("default", Chart.sets("analystWorker.revealExpected", true)).get("ConfigMap", WORKER)
                .at("/data/T2S_WORKER_REVEAL_EXPECTED").asText()).isEqualTo("true");
    }
}
