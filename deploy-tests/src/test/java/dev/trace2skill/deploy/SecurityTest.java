package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every container non-root, read-only root, no privilege escalation, all capabilities dropped, with limits. */
class SecurityTest {
    static List<String> valueSets() {
        return Chart.valueSets();
    }

    static void assertHardened(Manifests m) {
        List<ObjectNode> workloads = m.objects().stream()
                .filter(o -> List.of("Deployment", "Pod", "StatefulSet", "Job").contains(o.path("kind").asText())).toList();
        assertThat(workloads).isNotEmpty();
        for (ObjectNode w : workloads) {
            JsonNode pod = Manifests.podSpec(w);
            for (JsonNode c : Manifests.containers(w)) {
                String id = Manifests.id(w) + " container " + c.path("name").asText();
                JsonNode sc = c.path("securityContext");
                boolean nonRoot = sc.path("runAsNonRoot").asBoolean(pod.at("/securityContext/runAsNonRoot").asBoolean(false));
                assertThat(nonRoot).as(id + " runAsNonRoot").isTrue();
                long uid = sc.path("runAsUser").asLong(pod.at("/securityContext/runAsUser").asLong(-1));
                assertThat(uid).as(id + " runAsUser").isPositive();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean(false)).as(id + " readOnlyRootFilesystem").isTrue();
                assertThat(sc.has("allowPrivilegeEscalation") && !sc.path("allowPrivilegeEscalation").asBoolean())
                        .as(id + " allowPrivilegeEscalation false").isTrue();
                assertThat(sc.path("privileged").asBoolean(false)).as(id + " privileged").isFalse();
                assertThat(sc.at("/capabilities/drop").toString()).as(id + " drops ALL").contains("\"ALL\"");
                assertThat(sc.at("/capabilities/add").size()).as(id + " adds no capability").isZero();
                assertThat(c.at("/resources/limits/cpu").isMissingNode()).as(id + " cpu limit").isFalse();
                assertThat(c.at("/resources/limits/memory").isMissingNode()).as(id + " memory limit").isFalse();
                assertThat(c.at("/resources/requests/memory").isMissingNode()).as(id + " memory request").isFalse();
            }
            assertThat(pod.path("hostNetwork").asBoolean(false)).as(Manifests.id(w)).isFalse();
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true))
                    .as(Manifests.id(w) + " mounts no API token").isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyContainerIsHardenedAndLimited(String valueSet) {
        assertHardened(Chart.render(valueSet));
    }

    @Test
    void theSchemaKeepsTheHardeningOn() {
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("containerSecurityContext.readOnlyRootFilesystem", false)))
                .hasMessageContaining("readOnlyRootFilesystem");
        assertThatThrownBy(() -> Chart.render("default", Chart.sets("podSecurityContext.runAsNonRoot", false)))
                .hasMessageContaining("runAsNonRoot");
    }

    @Test
    void theQuarkusServicesWriteOnlyToTmp() {
        Manifests m = Chart.render("default");
        for (String s : Repo.SERVICES) {
            JsonNode c = Manifests.containers(m.get("Deployment", Chart.RELEASE + "-" + s)).getFirst();
            assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).containsExactly("/tmp");
        }
    }

    @Test
    void secretsAreReferencedNeverInlinedInPodSpecs() {
        for (String set : Chart.valueSets()) {
            Manifests m = Chart.render(set);
            for (ObjectNode d : m.all("Deployment")) {
                for (JsonNode c : Manifests.containers(d)) {
                    for (JsonNode e : c.path("env")) {
                        String name = e.path("name").asText();
                        if (name.matches(".*(TOKEN|PASSWORD|API_KEY|JAAS).*") && !name.equals("KAFKA_SASL_JAAS_CONFIG")) {
                            assertThat(e.has("valueFrom")).as(set + " " + Manifests.id(d) + " " + name).isTrue();
                        }
                    }
                }
            }
            // the JAAS line carries the password only as a $(VAR) reference, or comes from Strimzi's Secret
            m.all("Deployment").forEach(d -> Manifests.containers(d).forEach(c -> c.path("env").forEach(e -> {
                if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG") && e.has("value")) {
                    assertThat(e.path("value").asText()).contains("password=\"$(T2S_KAFKA_SASL_PASSWORD)\"");
                }
            })));
        }
    }
}
