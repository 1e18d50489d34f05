package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks one Kubernetes object against the schema of its kind, rejecting unknown fields:
 * <ul>
 * <li>core kinds: the generated models of io.kubernetes:client-java-api (their {@code validateJsonElement} rejects
 * fields the OpenAPI schema does not define and missing required ones; Quantity and IntOrString are parsed);</li>
 * <li>Strimzi (kafka.strimzi.io): Strimzi's own model classes ({@code io.strimzi:api}); they keep unknown fields in
 * {@code additionalProperties} instead of failing, so every object reached from the root must have none;</li>
 * <li>ServiceMonitor and PrometheusRule (monitoring.coreos.com/v1): fabric8's Prometheus Operator model, same rule;</li>
 * <li>KEDA ScaledObject and TriggerAuthentication, CloudNativePG Cluster: no Java model is available here, so a
 * hand-written subset of each CRD's openAPIV3Schema under src/test/resources/crds/ (additionalProperties: false).</li>
 * </ul>
 * A kind outside these is an error: nothing the chart renders goes unchecked.
 */
final class SchemaValidator {
    private static final JSON K8S = new JSON();
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private static final Map<String, Class<?>> CORE = Map.ofEntries(
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Namespace", io.kubernetes.client.openapi.models.V1Namespace.class),
            Map.entry("v1/Secret", V1Secret.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class),
            Map.entry("v1/Pod", V1Pod.class),
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class));

    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("kafka.strimzi.io/v1beta2/Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor",
                    io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule",
                    io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class));

    private static final Map<String, String> CRD_SUBSETS = Map.of(
            "keda.sh/v1alpha1/ScaledObject", "crds/keda.sh_v1alpha1_ScaledObject.json",
            "keda.sh/v1alpha1/TriggerAuthentication", "crds/keda.sh_v1alpha1_TriggerAuthentication.json",
            "postgresql.cnpg.io/v1/Cluster", "crds/postgresql.cnpg.io_v1_Cluster.json");

    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private SchemaValidator() {
    }

    /** How a kind is checked, for the report: "api-model", "operator-model" or "crd-subset". */
    static String method(String apiVersion, String kind) {
        String key = apiVersion + "/" + kind;
        return CORE.containsKey(key) ? "api-model" : MODELS.containsKey(key) ? "operator-model"
                : CRD_SUBSETS.containsKey(key) ? "crd-subset" : "none";
    }

    /** The problems found; empty when the object is valid. */
    static List<String> validate(JsonNode object) {
        String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        String id = Manifests.id(object);
        List<String> problems = new ArrayList<>();
        try {
            if (CORE.containsKey(key)) {
                K8S.deserialize(object.toString(), CORE.get(key));
            } else if (MODELS.containsKey(key)) {
                Object model = STRICT.treeToValue(object, MODELS.get(key));
                unknownFields(model, "", Collections.newSetFromMap(new IdentityHashMap<>()), problems);
            } else if (CRD_SUBSETS.containsKey(key)) {
                for (ValidationMessage m : schema(CRD_SUBSETS.get(key)).validate(object)) {
                    problems.add(m.getMessage());
                }
            } else {
                problems.add("no schema known for " + key);
            }
        } catch (Exception e) {
            problems.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return problems.stream().map(p -> id + ": " + p).toList();
    }

    private static JsonSchema schema(String resource) {
        return SCHEMAS.computeIfAbsent(resource, r -> {
            try (InputStream in = SchemaValidator.class.getClassLoader().getResourceAsStream(r)) {
                if (in == null) {
                    throw new IllegalStateException("missing " + r);
                }
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Walks the model graph: any non-empty getAdditionalProperties() is a field the model does not define. */
    private static void unknownFields(Object o, String path, Set<Object> seen, List<String> problems) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>
                || !seen.add(o)) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", seen, problems);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), seen, problems);
            }
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!pkg.startsWith("io.strimzi") && !pkg.startsWith("io.fabric8")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String n = m.getName();
            if (!(n.startsWith("get") || n.startsWith("is")) || n.equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (n.equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add("unknown field(s) " + extra.keySet() + " at " + (path.isEmpty() ? "." : path));
                }
                continue;
            }
            String field = n.startsWith("get") ? n.substring(3) : n.substring(2);
            if (!field.isEmpty()) {
                field = Character.toLowerCase(field.charAt(0)) + field.substring(1);
            }
            unknownFields(value, path + "." + field, seen, problems);
        }
    }
}
