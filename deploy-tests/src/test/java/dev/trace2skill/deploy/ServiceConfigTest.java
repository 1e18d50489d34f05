package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The environment the chart gives each service is the configuration that service reads: every variable maps to a
 * property of its application.properties or a @ConfigProperty/@ConfigMapping of its code (Quarkus maps T2S_A_B to
 * t2s.a.b), and every ${VAR} its application.properties references is set.
 */
class ServiceConfigTest {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    /** Modules whose code every service carries. */
    private static final List<String> SHARED = List.of("service-support", "model-client");
    /** Not configuration of the service: the JVM image's option hook, and the chart's own helpers for $(VAR) and KEDA. */
    private static final Set<String> NOT_CONFIG = Set.of("JAVA_OPTS_APPEND", "T2S_KAFKA_SASL_USERNAME", "T2S_KAFKA_SASL_PASSWORD");
    /** Kafka client settings the services pass through (Quarkus maps KAFKA_X_Y to the client property x.y). */
    private static final Set<String> KAFKA_CLIENT = Set.of("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL",
            "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_LOCATION");

    static List<String> valueSets() {
        return Chart.valueSets();
    }

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    record Known(Set<String> envNames, Set<String> prefixes, Set<String> referenced) {
        boolean reads(String env) {
            return envNames.contains(env) || prefixes.stream().anyMatch(env::startsWith);
        }
    }

    static Known known(String service) {
        Set<String> env = new TreeSet<>();
        Set<String> prefixes = new TreeSet<>();
        Set<String> referenced = new TreeSet<>();
        Properties p = Repo.applicationProperties(service);
        for (String k : p.stringPropertyNames()) {
            String key = k.startsWith("%") ? k.substring(k.indexOf('.') + 1) : k;
            env.add(envName(key));
            Matcher m = ENV_REF.matcher(p.getProperty(k));
            while (m.find()) {
                if (!k.startsWith("%")) {
                    referenced.add(m.group(1));
                }
                env.add(m.group(1));
            }
        }
        List<String> modules = new ArrayList<>(SHARED);
        modules.add(service);
        for (Path f : Repo.mainJavaSources()) {
            if (modules.stream().noneMatch(mod -> f.startsWith(Repo.ROOT.resolve(mod)))) {
                continue;
            }
            String src = Repo.read(f);
            Matcher m = CONFIG_PROPERTY.matcher(src);
            while (m.find()) {
                env.add(envName(m.group(1)));
            }
            m = CONFIG_MAPPING.matcher(src);
            while (m.find()) {
                prefixes.add(envName(m.group(1)) + "_");
            }
        }
        return new Known(env, prefixes, referenced);
    }

    /** Every variable a container gets: env entries and the keys of its envFrom ConfigMaps. */
    static Set<String> environment(Manifests m, JsonNode container) {
        Set<String> names = new TreeSet<>(envNames(container));
        for (JsonNode from : container.path("envFrom")) {
            String cm = from.at("/configMapRef/name").asText();
            m.get("ConfigMap", cm).path("data").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    static List<String> envNames(JsonNode container) {
        List<String> out = new ArrayList<>();
        container.path("env").forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyVariableIsConfigurationTheServiceReads(String valueSet) {
        Manifests m = Chart.render(valueSet);
        for (String service : Repo.SERVICES) {
            var d = m.find("Deployment", Chart.RELEASE + "-" + service);
            if (d.isEmpty()) {
                continue;
            }
            Known known = known(service);
            JsonNode c = Manifests.containers(d.get()).getFirst();
            Set<String> envs = environment(m, c);
            for (String e : envs) {
                if (NOT_CONFIG.contains(e) || KAFKA_CLIENT.contains(e)) {
                    continue;
                }
                assertThat(known.reads(e)).as(valueSet + ": " + service + " reads " + e).isTrue();
            }
            assertThat(envs).as(valueSet + ": " + service + " gets every ${VAR} its application.properties references")
                    .containsAll(known.referenced());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void portsAndProbesAreTheServicesOwn(String valueSet) {
        Manifests m = Chart.render(valueSet);
        for (String service : Repo.SERVICES) {
            var d = m.find("Deployment", Chart.RELEASE + "-" + service);
            if (d.isEmpty()) {
                continue;
            }
            JsonNode c = Manifests.containers(d.get()).getFirst();
            int port = c.at("/ports/0/containerPort").asInt();
            assertThat(port).isEqualTo(Integer.parseInt(Repo.applicationProperties(service).getProperty("quarkus.http.port")));
            assertThat(Repo.applicationProperties(service).getProperty("quarkus.application.name")).isEqualTo(service);
            assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
            assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
            assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
            // quarkus-kubernetes writes the probes' port as the number (the generated manifests are the source)
            assertThat(c.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(port);
            assertThat(c.at("/ports/0/name").asText()).isEqualTo("http");
            assertThat(m.get("Service", Chart.RELEASE + "-" + service).at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        }
    }
}
