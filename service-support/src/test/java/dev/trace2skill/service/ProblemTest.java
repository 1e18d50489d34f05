package dev.trace2skill.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The RFC 7807 bodies every service answers errors with. */
class ProblemTest {
    final ObjectMapper json = new ObjectMapper();

    @Test
    void theTypeFollowsTheStatus() {
        assertThat(Problem.of(400, "t", "d").type()).isEqualTo("https://trace2skill.dev/problems/bad-request");
        assertThat(Problem.of(404, "t", "d").type()).endsWith("/not-found");
        assertThat(Problem.of(409, "t", "d").type()).endsWith("/conflict");
        assertThat(Problem.of(413, "t", "d").type()).endsWith("/too-large");
        assertThat(Problem.of(415, "t", "d").type()).endsWith("/unsupported-media-type");
        assertThat(Problem.of(422, "t", "d").type()).endsWith("/unprocessable");
        assertThat(Problem.of(502, "t", "d").type()).endsWith("/error-502");
    }

    @Test
    void aFieldFailureNamesTheFieldAndCarriesItsProblem() {
        Problem.Failure f = Problem.field(422, "Invalid run", "the run has 1 problem(s)", "trajectories.limit", "must be 1-100000");
        assertThat(f.problem().status()).isEqualTo(422);
        assertThat(f.problem().errors()).containsExactly(new Problem.FieldProblem(null, null, "trajectories.limit", "must be 1-100000"));
        assertThat(f.getMessage()).isEqualTo("Invalid run: the run has 1 problem(s)");

        Problem p = Problem.invalidParameter("limit", "must be 1-500").problem();
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.title()).isEqualTo("Invalid parameter");
        assertThat(p.detail()).isEqualTo("limit must be 1-500");
        assertThat(p.errors()).extracting(Problem.FieldProblem::field).containsExactly("limit");
    }

    @Test
    void theBodyLeavesOutWhatIsEmpty() throws Exception {
        JsonNode plain = json.valueToTree(Problem.of(404, "Not found", "no run x"));
        assertThat(plain.has("errors")).isFalse();
        assertThat(plain.has("instance")).isFalse();
        assertThat(plain.path("status").asInt()).isEqualTo(404);

        JsonNode withFields = json.valueToTree(Problem.of(400, "Invalid", "2", List.of(
                Problem.FieldProblem.of("skill", "give the skill"), new Problem.FieldProblem(3, "t-3", "query", "is required"))));
        assertThat(withFields.path("errors")).hasSize(2);
        assertThat(withFields.path("errors").get(0).has("record")).isFalse();
        assertThat(withFields.path("errors").get(0).has("id")).isFalse();
        assertThat(withFields.path("errors").get(1).path("record").asInt()).isEqualTo(3);
        assertThat(withFields.path("errors").get(1).path("id").asText()).isEqualTo("t-3");
    }
}
