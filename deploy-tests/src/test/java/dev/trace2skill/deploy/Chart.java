package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The chart under helm/trace2skill, linted and rendered in-process by helm-java (helm v3.21 as a native library).
 *
 * <p>Two things differ from the helm CLI, and are bridged here. helm-java's template leaves hooks out, so the chart
 * is rendered from a copy in which {@code helm.sh/hook} annotations are renamed: the hook objects (the install-time
 * API token Secret, the {@code helm test} Pod) then render and are checked like the rest. helm-java's lint takes no
 * values file, so a ci values file is linted as the chart's values.yaml deep-merged with it, which is what
 * {@code helm lint -f} checks.
 */
final class Chart {
    static final String RELEASE = "trace2skill";
    static final String NAMESPACE = "trace2skill";
    static final String KUBE_VERSION = "1.32.0";
    static final String HOOK_RENAMED = "trace2skill.dev/helm-hook";

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static volatile Path copy;

    private Chart() {
    }

    /** "default" and the file names under helm/trace2skill/ci/. */
    static List<String> valueSets() {
        try (Stream<Path> s = Files.list(Repo.chart().resolve("ci"))) {
            return Stream.concat(Stream.of("default"),
                    s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Manifests render(String valueSet) {
        return RENDERED.computeIfAbsent(valueSet, v -> render(v, Map.of()));
    }

    /** Renders with a values set and --set overrides; throws IllegalStateException with helm's message on failure. */
    static Manifests render(String valueSet, Map<String, Object> sets) {
        TemplateCommand t = new Helm(hookFreeCopy()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        if (!"default".equals(valueSet)) {
            t = t.withValuesFile(Repo.chart().resolve("ci").resolve(valueSet));
        }
        for (Map.Entry<String, Object> e : sets.entrySet()) {
            t = t.set(e.getKey(), e.getValue());
        }
        return Manifests.parse("helm template (" + valueSet + (sets.isEmpty() ? "" : " " + sets) + ")", t.call());
    }

    /** helm lint --strict of the chart with the values set (merged over the defaults). */
    static LintResult lint(String valueSet) {
        Path dir = tempCopy("trace2skill-lint-");
        if (!"default".equals(valueSet)) {
            JsonNode defaults = readYaml(dir.resolve("values.yaml"));
            JsonNode overlay = readYaml(Repo.chart().resolve("ci").resolve(valueSet));
            write(dir.resolve("values.yaml"), merge((ObjectNode) defaults.deepCopy(), overlay));
        }
        return new Helm(dir).lint().strict().call();
    }

    static JsonNode values(String valueSet) {
        JsonNode defaults = readYaml(Repo.chart().resolve("values.yaml"));
        if ("default".equals(valueSet)) {
            return defaults;
        }
        return merge((ObjectNode) defaults.deepCopy(), readYaml(Repo.chart().resolve("ci").resolve(valueSet)));
    }

    /** Helm's coalescing: maps merge key by key, anything else (lists included) is replaced, null removes the key. */
    static ObjectNode merge(ObjectNode base, JsonNode overlay) {
        Iterator<Map.Entry<String, JsonNode>> it = overlay.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = base.get(e.getKey());
            if (e.getValue().isNull()) {
                base.remove(e.getKey());
            } else if (current != null && current.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) current, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return base;
    }

    private static Path hookFreeCopy() {
        Path c = copy;
        if (c == null) {
            synchronized (Chart.class) {
                if (copy == null) {
                    copy = tempCopy("trace2skill-render-");
                }
                c = copy;
            }
        }
        return c;
    }

    private static Path tempCopy(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix).resolve("trace2skill");
            Path src = Repo.chart();
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : s.toList()) {
                    Path target = dir.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else if (p.startsWith(src.resolve("templates")) && !p.getFileName().toString().equals("NOTES.txt")) {
                        Files.writeString(target, Files.readString(p).replace("helm.sh/hook:", HOOK_RENAMED + ":"));
                    } else {
                        Files.copy(p, target);
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readYaml(Path p) {
        try {
            JsonNode n = Manifests.YAML.readTree(p.toFile());
            return n == null || n.isMissingNode() ? Manifests.YAML.createObjectNode() : n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, JsonNode n) {
        try {
            Manifests.YAML.writeValue(p.toFile(), n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A ci values set with extra overrides, as a map for {@link #render(String, Map)}. */
    static Map<String, Object> sets(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
