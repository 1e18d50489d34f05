package dev.trace2skill.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** helm lint --strict and helm template for the default values and every ci values file; every object schema-checked. */
class ChartRenderTest {
    static List<String> valueSets() {
        return Chart.valueSets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void lintsStrictly(String valueSet) {
        LintResult lint = Chart.lint(valueSet);
        assertThat(lint.isFailed()).as("helm lint --strict failed: %s", lint.getMessages()).isFalse();
        // the only remark allowed: no icon in Chart.yaml
        assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).contains("icon is recommended"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyRenderedObjectMatchesItsSchema(String valueSet) {
        Manifests m = Chart.render(valueSet);
        assertThat(m.objects()).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (ObjectNode o : m.objects()) {
            problems.addAll(SchemaValidator.validate(o));
        }
        assertThat(problems).as(m.source()).isEmpty();
        Set<String> ids = m.objects().stream().map(Manifests::id).collect(Collectors.toSet());
        assertThat(ids).as("object ids are unique").hasSize(m.objects().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyObjectCarriesTheReleaseLabels(String valueSet) {
        for (ObjectNode o : Chart.render(valueSet).objects()) {
            assertThat(o.path("metadata").path("labels").path("app.kubernetes.io/instance").asText())
                    .as(Manifests.id(o)).isEqualTo(Chart.RELEASE);
            assertThat(o.path("metadata").path("labels").path("helm.sh/chart").asText())
                    .as(Manifests.id(o)).startsWith("trace2skill-");
        }
    }
}
