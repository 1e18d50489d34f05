package dev.trace2skill.core.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.trace2skill.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TrajectoryTest {
    static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(TrajectorySchema.text());

    static Trajectory sample() {
        ObjectNode args = Json.mapper().createObjectNode().put("user_id", "mia_li_3668");
        return new Trajectory("tau-airline-0-0", "0", "I want to book a flight.",
                List.of(new Step("Look the user up first.", new ToolCall("get_user_details", args), "{\"name\":\"Mia\"}"),
                        new Step(null, ToolCall.withInput("search", "Seth MacFarlane"), "Error: not found", true)),
                "Booked.", new Outcome(true, 1.0), "HAT136", "gpt-4o", "airline@3", new TokenUsage(1200, 300),
                Map.of("trial", 0));
    }

    @Test
    void roundTripsThroughJson() {
        String json = Json.write(sample());
        Trajectory back = Json.read(json, Trajectory.class);
        assertThat(back).isEqualTo(sample());
        assertThat(back.toolSequence()).containsExactly("get_user_details", "search");
        assertThat(back.steps().get(1).action().arguments().get("input").asText()).isEqualTo("Seth MacFarlane");
        assertThat(json).doesNotContain("successful").doesNotContain("toolSequence");
    }

    @Test
    void serialisedTrajectoriesConformToThePublishedSchema() {
        JsonNode node = Json.mapper().valueToTree(sample());
        assertThat(SCHEMA.validate(node)).isEmpty();
        Trajectory minimal = new Trajectory("t1", null, "q", null, null, Outcome.of(false), null, null, null, null, null);
        assertThat(SCHEMA.validate(Json.mapper().valueToTree(minimal))).isEmpty();
    }

    @Test
    void schemaRejectsWhatTheRulesReject() throws Exception {
        JsonNode missingOutcome = Json.mapper().readTree("{\"id\":\"t1\",\"query\":\"q\"}");
        Set<ValidationMessage> errors = SCHEMA.validate(missingOutcome);
        assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("outcome"));
        JsonNode badId = Json.mapper().readTree("{\"id\":\"../x\",\"query\":\"q\",\"outcome\":{\"success\":true}}");
        assertThat(SCHEMA.validate(badId)).isNotEmpty();
    }

    @Test
    void rulesNameEveryBrokenField() {
        Trajectory bad = new Trajectory("bad id!", null, " ", List.of(
                new Step(null, null, null),
                new Step(null, new ToolCall(" ", null), "o"),
                new Step(null, new ToolCall("t", Json.mapper().getNodeFactory().textNode("x")), "o")),
                null, null, null, null, null, new TokenUsage(-1, 0), null);
        assertThat(TrajectoryRules.check(bad)).extracting(FieldError::field).containsExactly(
                "id", "query", "outcome", "steps[0]", "steps[1].action.tool", "steps[2].action.arguments", "usage");
        assertThat(TrajectoryRules.check(sample())).isEmpty();
    }
}
