package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Scraping (annotations, ServiceMonitors), the dashboard and the alerts, against the metrics the code exports. */
class MonitoringTest {
    private static final Set<String> SERIES = CodeMetrics.series();

    @Test
    void theCodeExportsTheMetricsTheseTestsKnow() {
        // a sanity check of the derivation itself, against meters named in the sources
        assertThat(SERIES).contains("t2s_worker_analyses_in_flight", "t2s_worker_analyses_total",
                "t2s_model_latency_seconds_bucket", "t2s_model_tokens_total", "t2s_ingest_bytes_total",
                "t2s_merge_nodes_total", "t2s_worker_analysis_duration_seconds_bucket");
        for (String s : List.of("trace-ingest", "analyst-worker", "merger")) {
            assertThat(Repo.applicationProperties(s).getProperty("quarkus.micrometer.binder.kafka.enabled"))
                    .as(s + " exports the Kafka client metrics the dashboard reads").isEqualTo("true");
            assertThat(Repo.applicationProperties(s).getProperty("quarkus.micrometer.export.prometheus.path"))
                    .isEqualTo("/q/metrics");
        }
        assertThat(Repo.applicationProperties("trace-ingest").getProperty("quarkus.micrometer.binder.http-server.enabled"))
                .isEqualTo("true");
        assertThat(CodeMetrics.metricsIn("histogram_quantile(0.95, sum by (le, model) (rate(t2s_model_latency_seconds_bucket{namespace=\"$namespace\"}[5m])))"))
                .containsExactly("t2s_model_latency_seconds_bucket");
        assertThat(CodeMetrics.metricsIn("count(a_b{x=\"y\"}) >= 3 and sum(c) > 0")).containsExactly("a_b", "c");
    }

    @Test
    void everyServiceIsScrapedByAServiceMonitorAndAnnotated() {
        for (String set : List.of("keda-monitoring-values.yaml", "vllm-values.yaml", "all-on-values.yaml",
                "external-sasl-tls-values.yaml")) {
            Manifests m = Chart.render(set);
            List<ObjectNode> services = m.all("Service");
            assertThat(services).hasSizeGreaterThanOrEqualTo(4);
            for (ObjectNode svc : services) {
                JsonNode labels = svc.at("/metadata/labels");
                List<ObjectNode> monitors = m.ofKind("ServiceMonitor").filter(sm -> selects(sm.at("/spec/selector/matchLabels"), labels))
                        .toList();
                assertThat(monitors).as(set + ": a ServiceMonitor for " + Manifests.id(svc)).hasSize(1);
                JsonNode ep = monitors.getFirst().at("/spec/endpoints/0");
                String port = ep.path("port").asText();
                assertThat(svc.at("/spec/ports").findValuesAsText("name")).as("the endpoint names a port of the Service").contains(port);
                String component = labels.path("app.kubernetes.io/component").asText();
                assertThat(ep.path("path").asText()).isEqualTo(component.equals("vllm") ? "/metrics" : "/q/metrics");
            }
        }
        assertThat(Chart.render("default").all("ServiceMonitor")).as("the CRD may be missing: off by default").isEmpty();
    }

    @Test
    void everyPodCarriesScrapeAnnotationsThatMatchItsPort() {
        for (String set : List.of("default", "all-on-values.yaml")) {
            for (ObjectNode d : Chart.render(set).all("Deployment")) {
                JsonNode ann = d.at("/spec/template/metadata/annotations");
                assertThat(ann.path("prometheus.io/scrape").asText()).as(Manifests.id(d)).isEqualTo("true");
                JsonNode c = Manifests.containers(d).getFirst();
                assertThat(ann.path("prometheus.io/port").asText()).isEqualTo(c.at("/ports/0/containerPort").asText());
                assertThat(ann.path("prometheus.io/path").asText()).startsWith("/");
            }
        }
        for (ObjectNode d : Chart.render("minimal-values.yaml").all("Deployment")) {
            assertThat(d.at("/spec/template/metadata/annotations").has("prometheus.io/scrape")).isFalse();
        }
    }

    private static boolean selects(JsonNode matchLabels, JsonNode labels) {
        if (matchLabels.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : matchLabels.properties()) {
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theDashboardParsesShowsWhatTheIssueAsksAndUsesOnlyRealMetrics() throws Exception {
        String json = Chart.render("default").get("ConfigMap", Chart.RELEASE + "-dashboard").at("/data/trace2skill.json").asText();
        JsonNode d = Manifests.JSON.readTree(json);
        assertThat(d.path("uid").asText()).isEqualTo("trace2skill");
        assertThat(Chart.render("default").get("ConfigMap", Chart.RELEASE + "-dashboard").at("/metadata/labels/grafana_dashboard").asText())
                .isEqualTo("1");
        List<String> exprs = new ArrayList<>();
        Set<String> ids = new TreeSet<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asText())).as("panel ids unique").isTrue();
            for (JsonNode t : p.path("targets")) {
                exprs.add(t.path("expr").asText());
            }
        }
        for (JsonNode v : d.at("/templating/list")) {
            if (v.has("definition")) {
                exprs.add(v.path("definition").asText());
            }
        }
        assertThat(exprs).hasSizeGreaterThan(15);
        Set<String> used = new TreeSet<>();
        for (String e : exprs) {
            Set<String> metrics = CodeMetrics.metricsIn(e);
            assertThat(metrics).as("expression selects a metric: " + e).isNotEmpty();
            used.addAll(metrics);
        }
        assertThat(used).allSatisfy(metric -> assertThat(CodeMetrics.exists(metric, SERIES))
                .as(metric + " is exported by the code (or an enabled binder)").isTrue());
        // ingest rate, analyses in flight, model latency, tokens, merge progress, consumer lag, worker count
        String all = String.join("\n", exprs);
        assertThat(all).contains("rate(t2s_ingest_trajectories_total", "sum(t2s_worker_analyses_in_flight",
                "t2s_model_latency_seconds_bucket", "t2s_model_tokens_total", "t2s_merge_nodes_total",
                "kafka_consumer_fetch_manager_records_lag{namespace=\"$namespace\", topic=\"analysis-jobs\"}",
                "count(t2s_worker_analyses_in_flight");
        // the kustomize base ships the same file (generated from it into a ConfigMap)
        Manifests base = Manifests.parse("k8s/base", Repo.read(Repo.k8s().resolve("base").resolve(GeneratedBase.DASHBOARD)));
        assertThat(base.get("ConfigMap", Chart.RELEASE + "-dashboard").at("/data/trace2skill.json").asText())
                .isEqualTo(Repo.read(Repo.chart().resolve("dashboards/trace2skill.json")));
    }

    @Test
    void theAlertsCoverLagDeadLettersAndErrorsWithRealMetrics() {
        Manifests m = Chart.render("all-on-values.yaml");
        JsonNode rules = m.get("PrometheusRule", Chart.RELEASE).at("/spec/groups/0/rules");
        List<String> names = rules.findValuesAsText("alert");
        assertThat(names).contains("Trace2SkillAnalysisLagGrowing", "Trace2SkillDeadLetters", "Trace2SkillAnalysisDeadLetters",
                "Trace2SkillAnalysisErrorRate", "Trace2SkillModelErrorRate", "Trace2SkillHttpErrorRate",
                "Trace2SkillWorkersAtMaximum");
        for (JsonNode r : rules) {
            String expr = r.path("expr").asText();
            assertThat(CodeMetrics.metricsIn(expr)).as(expr).isNotEmpty()
                    .allSatisfy(metric -> assertThat(CodeMetrics.exists(metric, SERIES)).as(metric).isTrue());
            assertThat(expr).as("scoped to the release namespace").contains("namespace=\"" + Chart.NAMESPACE + "\"");
            assertThat(r.at("/labels/severity").asText()).isNotBlank();
        }
        String lag = rules.get(names.indexOf("Trace2SkillAnalysisLagGrowing")).path("expr").asText();
        assertThat(lag).contains("topic=\"analysis-jobs\"").contains("> 10000").contains("deriv(");
        String dlq = rules.get(names.indexOf("Trace2SkillDeadLetters")).path("expr").asText();
        assertThat(dlq).contains("topic=~\".+-dlq\"");
        String max = rules.get(names.indexOf("Trace2SkillWorkersAtMaximum")).path("expr").asText();
        assertThat(max).contains(">= 96");
    }
}
