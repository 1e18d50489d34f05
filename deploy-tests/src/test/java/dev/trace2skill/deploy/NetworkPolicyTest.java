package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Only trace-ingest is reachable from outside the release; every pod of the release is covered by a policy. */
class NetworkPolicyTest {
    static void assertOnlyIngestIsOpen(Manifests m) {
        List<ObjectNode> policies = m.all("NetworkPolicy");
        for (ObjectNode d : m.all("Deployment")) {
            JsonNode podLabels = d.at("/spec/template/metadata/labels");
            List<ObjectNode> covering = policies.stream().filter(p -> selects(p.at("/spec/podSelector/matchLabels"), podLabels)).toList();
            assertThat(covering).as(m.source() + ": a policy selects " + Manifests.id(d)).hasSize(1);
            JsonNode p = covering.getFirst();
            assertThat(p.at("/spec/policyTypes").toString()).contains("Ingress", "Egress");
            boolean ingest = podLabels.path("app.kubernetes.io/component").asText().equals("trace-ingest");
            for (JsonNode rule : p.at("/spec/ingress")) {
                if (ingest) {
                    assertThat(rule.path("ports").findValuesAsText("port")).containsExactly("http");
                    continue;
                }
                JsonNode from = rule.path("from");
                assertThat(from.isArray() && !from.isEmpty()).as(Manifests.id(p) + ": no rule open to everyone").isTrue();
                for (JsonNode peer : from) {
                    assertThat(peer.has("ipBlock")).as(Manifests.id(p) + " peer " + peer).isFalse();
                    boolean releasePods = !peer.has("namespaceSelector")
                            && peer.at("/podSelector/matchLabels/app.kubernetes.io~1instance").asText().equals(Chart.RELEASE);
                    boolean prometheus = !peer.at("/namespaceSelector/matchLabels").isEmpty()
                            && !peer.at("/podSelector/matchLabels").isEmpty();
                    assertThat(releasePods || prometheus).as(Manifests.id(p) + " peer " + peer).isTrue();
                }
            }
        }
    }

    static boolean selects(JsonNode matchLabels, JsonNode labels) {
        for (var e : matchLabels.properties()) {
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return !matchLabels.isEmpty();
    }

    @Test
    void onlyTraceIngestAcceptsTrafficFromOutside() {
        for (String set : Chart.valueSets()) {
            if (Chart.values(set).at("/networkPolicy/enabled").asBoolean()) {
                assertOnlyIngestIsOpen(Chart.render(set));
            } else {
                assertThat(Chart.render(set).all("NetworkPolicy")).as(set).isEmpty();
            }
        }
    }

    @Test
    void ingestSourcesCanBeNarrowed() {
        JsonNode rule = Chart.render("all-on-values.yaml").get("NetworkPolicy", Chart.RELEASE + "-trace-ingest").at("/spec/ingress/0");
        assertThat(rule.at("/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("ingress-nginx");
        assertThat(Chart.render("default").get("NetworkPolicy", Chart.RELEASE + "-trace-ingest").at("/spec/ingress/0").has("from"))
                .isFalse();
    }

    @Test
    void egressReachesKafkaPostgresAndModelsInClusterByLabel() {
        Manifests m = Chart.render("all-on-values.yaml");
        JsonNode egress = m.get("NetworkPolicy", Chart.RELEASE + "-analyst-worker").at("/spec/egress");
        assertThat(egress.findValuesAsText("strimzi.io/cluster")).containsExactly("t2s-kafka");
        assertThat(egress.findValuesAsText("cnpg.io/cluster")).containsExactly(Chart.RELEASE + "-pg");
        // the vLLM pods are part of the release
        assertThat(egress.toString()).contains("\"app.kubernetes.io/instance\":\"" + Chart.RELEASE + "\"");
        Manifests plain = Chart.render("default");
        JsonNode ports = plain.get("NetworkPolicy", Chart.RELEASE + "-analyst-worker").at("/spec/egress");
        assertThat(ports.findValuesAsText("port")).contains("53", "9092", "5432", "443", "11434");
        assertThat(plain.get("NetworkPolicy", Chart.RELEASE + "-trace-ingest").at("/spec/egress").findValuesAsText("port"))
                .doesNotContain("11434");
    }

    /** The front door relays the merger's and the evaluator's APIs: trace-ingest may call them, and they accept it. */
    @Test
    void frontDoorReachesMergerAndEvaluator() {
        Manifests m = Chart.render("default");
        JsonNode ingestEgress = m.get("NetworkPolicy", Chart.RELEASE + "-trace-ingest").at("/spec/egress");
        assertThat(ingestEgress.findValuesAsText("app.kubernetes.io/instance")).contains(Chart.RELEASE);
        for (String target : List.of("merger", "evaluator")) {
            JsonNode from = m.get("NetworkPolicy", Chart.RELEASE + "-" + target).at("/spec/ingress/0/from");
            assertThat(from.findValuesAsText("app.kubernetes.io/instance")).as(target).contains(Chart.RELEASE);
            assertThat(m.get("ConfigMap", Chart.RELEASE + "-trace-ingest").at("/data/T2S_" + target.toUpperCase() + "_URL").asText())
                    .isEqualTo("http://" + Chart.RELEASE + "-" + target + ":" + (target.equals("merger") ? 8083 : 8084));
        }
    }
}
