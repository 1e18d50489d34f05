package dev.trace2skill.deploy;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus series the code exports, derived from the Micrometer meters it builds
 * ({@code Counter.builder("t2s.x")} and so on under every module's src/main/java) with Micrometer's Prometheus naming:
 * dots become underscores, counters end in {@code _total}, timers are histograms in seconds
 * ({@code _seconds_bucket/_count/_sum} and {@code _seconds_max}), a base unit is appended once.
 */
final class CodeMetrics {
    private static final Pattern BUILDER = Pattern.compile(
            "(Counter|Timer|Gauge|DistributionSummary|FunctionCounter|LongTaskTimer)\\.builder\\(\\s*\"([a-zA-Z0-9_.]+)\"([^;]*);",
            Pattern.DOTALL);
    private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\\s*\"([a-z]+)\"");

    /**
     * Series from libraries the services switch on in their application.properties, by prefix. The Kafka clients'
     * metrics come from Micrometer's Kafka binder (quarkus.micrometer.binder.kafka.enabled), HTTP server metrics from
     * the Vert.x HTTP binder; {@code up} is Prometheus' own.
     */
    static final Set<String> LIBRARY_PREFIXES = Set.of("kafka_consumer_fetch_manager_", "kafka_producer_topic_",
            "http_server_requests_seconds_");

    private CodeMetrics() {
    }

    static Set<String> series() {
        Set<String> out = new TreeSet<>();
        for (Path f : Repo.mainJavaSources()) {
            Matcher m = BUILDER.matcher(Repo.read(f));
            while (m.find()) {
                String type = m.group(1);
                String base = m.group(2).replace('.', '_');
                Matcher unit = BASE_UNIT.matcher(m.group(3));
                String u = unit.find() ? unit.group(1) : null;
                switch (type) {
                    case "Counter", "FunctionCounter" -> out.add(withUnit(base, u) + "_total");
                    case "Gauge" -> out.add(withUnit(base, u));
                    case "Timer", "LongTaskTimer" -> {
                        String s = base + "_seconds";
                        for (String suffix : new String[]{"_bucket", "_count", "_sum", "_max"}) {
                            out.add(s + suffix);
                        }
                    }
                    case "DistributionSummary" -> {
                        String s = withUnit(base, u);
                        for (String suffix : new String[]{"_bucket", "_count", "_sum", "_max"}) {
                            out.add(s + suffix);
                        }
                    }
                    default -> throw new IllegalStateException(type);
                }
            }
        }
        return out;
    }

    private static String withUnit(String base, String unit) {
        return unit == null || base.endsWith("_" + unit) ? base : base + "_" + unit;
    }

    private static final Pattern LABELS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern STRING = Pattern.compile("\"[^\"]*\"|'[^']*'");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> PROMQL = Set.of("sum", "avg", "min", "max", "count", "rate", "irate", "increase",
            "deriv", "delta", "histogram_quantile", "label_values", "and", "or", "unless", "by", "without", "offset",
            "topk", "bottomk", "abs", "clamp_min", "clamp_max", "vector", "scalar", "time", "bool", "on", "ignoring",
            "group_left", "group_right");

    /** The metric names a PromQL expression (or Grafana label_values query) selects. */
    static Set<String> metricsIn(String expr) {
        String s = expr.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*[a-zA-Z_]+\\s*\\)", "$1");
        s = STRING.matcher(s).replaceAll(" ");
        s = LABELS.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = s.replaceAll("\\$[a-zA-Z_]+", " ").replaceAll("\\b[0-9.]+[a-z]*\\b", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            if (!PROMQL.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Is the series exported by this code base, or by a library binder the services enable? */
    static boolean exists(String metric, Set<String> series) {
        return series.contains(metric) || metric.equals("up")
                || LIBRARY_PREFIXES.stream().anyMatch(metric::startsWith);
    }
}
