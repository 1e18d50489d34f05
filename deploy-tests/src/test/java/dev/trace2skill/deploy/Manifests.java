package dev.trace2skill.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Stream;

/** A rendered set of Kubernetes objects (helm template or kubectl kustomize output), parsed from multi-document YAML. */
record Manifests(String source, List<ObjectNode> objects) {
    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    static Manifests parse(String source, String yaml) {
        List<ObjectNode> out = new ArrayList<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml);
             MappingIterator<JsonNode> it = YAML.readValues(p, JsonNode.class)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n == null || n.isNull() || n.isMissingNode() || n.isEmpty()) {
                    continue;
                }
                if (!n.isObject()) {
                    throw new IllegalStateException(source + ": a document that is not an object: " + n);
                }
                out.add((ObjectNode) n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": not YAML", e);
        }
        return new Manifests(source, List.copyOf(out));
    }

    Stream<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText()));
    }

    List<ObjectNode> all(String kind) {
        return ofKind(kind).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return ofKind(kind).filter(o -> name.equals(name(o))).findFirst();
    }

    ObjectNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new NoSuchElementException(source + ": no " + kind + " " + name
                + " among " + objects.stream().map(Manifests::id).toList()));
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    static String id(JsonNode o) {
        return o.path("kind").asText() + "/" + name(o);
    }

    /** The pod template's containers of a workload. */
    static List<JsonNode> containers(JsonNode workload) {
        JsonNode podSpec = workload.path("kind").asText().equals("Pod") ? workload.path("spec")
                : workload.path("spec").path("template").path("spec");
        List<JsonNode> out = new ArrayList<>();
        podSpec.path("containers").forEach(out::add);
        podSpec.path("initContainers").forEach(out::add);
        return out;
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("kind").asText().equals("Pod") ? workload.path("spec")
                : workload.path("spec").path("template").path("spec");
    }
}
