package dev.trace2skill.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/base is what quarkus-kubernetes generates for the four services (plus the chart's dashboard), so a change to a
 * service's quarkus.kubernetes.* configuration or src/main/kubernetes fragment that was not carried into k8s/base
 * fails here. With {@code -Dt2s.k8s.write=true} (k8s/generate.sh) it rewrites those files instead. That k8s/base
 * equals the chart's default render is {@link KustomizeTest#theBaseIsTheChartsDefaultRender()}.
 */
class GeneratedBaseTest {
    /** Files of k8s/base written by hand: the kustomizations, the shared ServiceAccount and the placeholder Secrets. */
    static final Set<String> BY_HAND = Set.of("kustomization.yaml", "services/kustomization.yaml",
            "services/serviceaccount.yaml", "disruption-budgets/kustomization.yaml", "autoscaling/kustomization.yaml",
            "credentials/kustomization.yaml", "credentials/secrets.yaml");

    @Test
    void theBaseIsWhatQuarkusKubernetesGenerates() {
        Map<String, String> generated = GeneratedBase.assemble();
        if (Boolean.getBoolean("t2s.k8s.write")) {
            GeneratedBase.writeAll(generated);
        }
        for (Map.Entry<String, String> f : generated.entrySet()) {
            Path p = Repo.k8s().resolve("base").resolve(f.getKey());
            assertThat(Files.isRegularFile(p) ? Repo.read(p) : "(missing)")
                    .as("k8s/base/%s is not what quarkus-kubernetes generates: run k8s/generate.sh", f.getKey())
                    .isEqualTo(f.getValue());
        }
        Set<String> expected = new TreeSet<>(BY_HAND);
        expected.addAll(generated.keySet());
        assertThat(filesUnder(Repo.k8s().resolve("base")))
                .as("k8s/base holds the generated files and the hand-written ones, nothing else").isEqualTo(expected);
    }

    @Test
    void eachServiceGeneratesItsDeploymentServiceConfigMapAndPolicies() {
        for (String s : Repo.SERVICES) {
            Manifests m = Manifests.parse(s, Repo.read(GeneratedBase.generated(s)));
            String name = Chart.RELEASE + "-" + s;
            for (String kind : java.util.List.of("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy")) {
                assertThat(m.find(kind, name)).as(s + " generates " + kind + " " + name).isPresent();
            }
            int port = Integer.parseInt(Repo.applicationProperties(s).getProperty("quarkus.http.port"));
            assertThat(Manifests.containers(m.get("Deployment", name)).getFirst().at("/ports/0/containerPort").asInt())
                    .as(s + " container port = quarkus.http.port").isEqualTo(port);
        }
    }

    private static Set<String> filesUnder(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            Set<String> out = new TreeSet<>();
            s.filter(Files::isRegularFile).forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
