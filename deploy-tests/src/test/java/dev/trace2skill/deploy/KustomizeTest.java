package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/base and the dev and prod overlays, built with {@code kubectl kustomize} (kubectl must be on the PATH: .ci/run
 * installs Debian's kubernetes-client, whose kustomize v2.0 builds them too), validated like the chart's output, and
 * compared with the chart's default render. k8s/base is generated from the services' quarkus-kubernetes configuration
 * ({@link GeneratedBaseTest}), so the chart's defaults are checked against that configuration here.
 */
class KustomizeTest {
    private static final Map<String, Manifests> BUILT = new ConcurrentHashMap<>();
    private static final List<String> DIRS = List.of("base", "overlays/dev", "overlays/prod");

    @BeforeAll
    static void needsKubectl() {
        assertThat(kubectl()).as("kubectl is not on the PATH: install it (Debian: apt-get install kubernetes-client;"
                + " .ci/run does) to build k8s/ with kubectl kustomize").isNotNull();
    }

    static String kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static Manifests build(String dir) {
        return BUILT.computeIfAbsent(dir, d -> {
            try {
                Process p = new ProcessBuilder(kubectl(), "kustomize", Repo.k8s().resolve(d).toString())
                        .redirectErrorStream(false).start();
                byte[] out = p.getInputStream().readAllBytes();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("kubectl kustomize " + d + " failed: " + err);
                }
                return Manifests.parse("kubectl kustomize k8s/" + d, new String(out, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void everyObjectMatchesItsSchemaAndTheChartsRules(String dir) {
        Manifests m = build(dir);
        List<String> problems = new ArrayList<>();
        m.objects().forEach(o -> problems.addAll(SchemaValidator.validate(o)));
        assertThat(problems).isEmpty();
        SecurityTest.assertHardened(m);
        NetworkPolicyTest.assertOnlyIngestIsOpen(m);
        if (!dir.equals("base")) {
            String ns = dir.endsWith("dev") ? "trace2skill-dev" : "trace2skill";
            assertThat(m.objects()).filteredOn(o -> !o.path("kind").asText().equals("Namespace"))
                    .allSatisfy(o -> assertThat(o.at("/metadata/namespace").asText()).as(Manifests.id(o)).isEqualTo(ns));
        }
    }

    /** The base is the chart's default render, object for object, less Helm's own labels and the config checksum. */
    @Test
    void theBaseIsTheChartsDefaultRender() {
        Manifests chart = Chart.render("default");
        Manifests base = build("base");
        List<String> chartIds = chart.objects().stream().filter(o -> !o.path("kind").asText().equals("Pod"))
                .map(Manifests::id).sorted().toList();
        assertThat(base.objects().stream().map(Manifests::id).sorted().toList()).isEqualTo(chartIds);
        List<String> differences = new ArrayList<>();
        for (ObjectNode o : base.objects()) {
            ObjectNode expected = normalise(chart.get(o.path("kind").asText(), Manifests.name(o)));
            ObjectNode actual = normalise(o);
            if (o.path("kind").asText().equals("Secret")) {
                // placeholders in the base; the chart generates or takes them from values
                assertThat(actual.path("stringData").properties().stream().map(Map.Entry::getKey).toList())
                        .containsExactlyInAnyOrderElementsOf(
                                expected.path("stringData").properties().stream().map(Map.Entry::getKey).toList());
                assertThat(actual.path("metadata")).isEqualTo(expected.path("metadata"));
                continue;
            }
            differences(actual, expected, "").forEach(d -> differences.add(Manifests.id(o) + " " + d));
        }
        assertThat(differences).as("objects of k8s/base that differ from the chart's default render, at").isEmpty();
    }

    /** JSON pointers where two trees differ (short messages instead of two whole objects). */
    static List<String> differences(JsonNode a, JsonNode b, String at) {
        List<String> out = new ArrayList<>();
        if (a.isObject() && b.isObject()) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                out.addAll(differences(a.path(k), b.path(k), at + "/" + k));
            }
        } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                out.addAll(differences(a.get(i), b.get(i), at + "/" + i));
            }
        } else if (!a.equals(b)) {
            String sa = a.toString(), sb = b.toString();
            out.add(at + ": " + (sa.length() > 120 ? sa.substring(0, 120) + "..." : sa) + " vs chart "
                    + (sb.length() > 120 ? sb.substring(0, 120) + "..." : sb));
        }
        return out;
    }

    private static ObjectNode normalise(ObjectNode o) {
        ObjectNode c = o.deepCopy();
        ObjectNode labels = (ObjectNode) c.path("metadata").path("labels");
        if (!labels.isMissingNode()) {
            labels.remove(List.of("helm.sh/chart", "app.kubernetes.io/managed-by"));
        }
        if (c.path("metadata").path("annotations").isObject()) {
            ObjectNode ann = (ObjectNode) c.path("metadata").path("annotations");
            ann.remove(List.of(Chart.HOOK_RENAMED, "helm.sh/hook-weight", "helm.sh/resource-policy"));
            if (ann.isEmpty()) {
                ((ObjectNode) c.path("metadata")).remove("annotations");
            }
        }
        JsonNode podAnn = c.at("/spec/template/metadata/annotations");
        if (podAnn.isObject()) {
            ((ObjectNode) podAnn).remove("checksum/config");
        }
        return c;
    }

    /** The comparison: images, ports, probes and (resolved) env of every service, in base and overlays. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void imagesPortsProbesAndEnvMatchTheChart(String dir) {
        Manifests chart = Chart.render("default");
        Manifests k = build(dir);
        for (String s : Repo.SERVICES) {
            String name = Chart.RELEASE + "-" + s;
            JsonNode hc = Manifests.containers(chart.get("Deployment", name)).getFirst();
            JsonNode kc = Manifests.containers(k.get("Deployment", name)).getFirst();
            String image = hc.path("image").asText();
            String expectedImage = dir.endsWith("dev") ? image.substring(0, image.lastIndexOf(':')) + ":dev" : image;
            assertThat(kc.path("image").asText()).as(dir + " " + s + " image").isEqualTo(expectedImage);
            assertThat(kc.path("ports")).as(dir + " " + s + " ports").isEqualTo(hc.path("ports"));
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(kc.path(probe)).as(dir + " " + s + " " + probe).isEqualTo(hc.path(probe));
            }
            assertThat(kc.path("env")).as(dir + " " + s + " env").isEqualTo(hc.path("env"));
            assertThat(resolvedEnvFrom(k, kc)).as(dir + " " + s + " env from ConfigMaps").isEqualTo(resolvedEnvFrom(chart, hc));
            assertThat(kc.path("securityContext")).isEqualTo(hc.path("securityContext"));
        }
    }

    private static Map<String, String> resolvedEnvFrom(Manifests m, JsonNode container) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode from : container.path("envFrom")) {
            m.get("ConfigMap", from.at("/configMapRef/name").asText()).path("data").properties()
                    .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    @Test
    void prodScalesTheWorkersWithKedaAsTheChartDoes() {
        Manifests prod = build("overlays/prod");
        Manifests chart = Chart.render("default", Chart.sets("analystWorker.autoscaling.keda.enabled", true,
                "metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true));
        String worker = Chart.RELEASE + "-analyst-worker";
        assertThat(prod.all("HorizontalPodAutoscaler")).isEmpty();
        assertThat(prod.get("ScaledObject", worker).path("spec")).isEqualTo(chart.get("ScaledObject", worker).path("spec"));
        assertThat(prod.get("PrometheusRule", Chart.RELEASE).path("spec")).isEqualTo(chart.get("PrometheusRule", Chart.RELEASE).path("spec"));
        assertThat(prod.all("ServiceMonitor")).hasSize(4);
        for (ObjectNode sm : chart.all("ServiceMonitor")) {
            assertThat(prod.get("ServiceMonitor", Manifests.name(sm)).path("spec")).isEqualTo(sm.path("spec"));
        }
        int partitions = Integer.parseInt(prod.get("ConfigMap", worker).at("/data/T2S_TOPICS_ANALYSIS_PARTITIONS").asText());
        assertThat(partitions).isGreaterThanOrEqualTo(prod.get("ScaledObject", worker).at("/spec/maxReplicaCount").asInt());
        assertThat(prod.all("Secret")).as("prod keeps no Secrets in Git").isEmpty();
        assertThat(prod.get("Deployment", Chart.RELEASE + "-trace-ingest").at("/spec/replicas").asInt()).isEqualTo(3);
    }

    @Test
    void devRunsSmall() {
        Manifests dev = build("overlays/dev");
        String worker = Chart.RELEASE + "-analyst-worker";
        assertThat(dev.get("HorizontalPodAutoscaler", worker).at("/spec/maxReplicas").asInt()).isEqualTo(4);
        assertThat(dev.get("Deployment", Chart.RELEASE + "-trace-ingest").at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(dev.all("PodDisruptionBudget")).isEmpty();
        assertThat(dev.get("Secret", Chart.RELEASE + "-api-token").at("/stringData/api-token").asText()).isEqualTo("dev-token");
        for (ObjectNode d : dev.all("Deployment")) {
            assertThat(Manifests.containers(d).getFirst().at("/resources/requests/cpu").asText()).isEqualTo("100m");
        }
    }
}
