package dev.trace2skill.core.trajectory;

import dev.trace2skill.core.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalJsonTest {
    @Test
    void keyOrderDoesNotChangeTheContentHash() throws Exception {
        Trajectory a = Json.read("{\"id\":\"t\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[{\"action\":{\"tool\":\"x\",\"arguments\":{\"a\":1,\"b\":2}}}],\"metadata\":{\"k\":1,\"j\":2}}", Trajectory.class);
        Trajectory b = Json.read("{\"metadata\":{\"j\":2,\"k\":1},\"steps\":[{\"action\":{\"arguments\":{\"b\":2,\"a\":1},\"tool\":\"x\"}}],\"outcome\":{\"success\":true},\"query\":\"q\",\"id\":\"t\"}", Trajectory.class);
        assertThat(Json.contentHash(a)).isEqualTo(Json.contentHash(b)).hasSize(64);
        Trajectory c = Json.read("{\"id\":\"t\",\"query\":\"q2\",\"outcome\":{\"success\":true}}", Trajectory.class);
        assertThat(Json.contentHash(c)).isNotEqualTo(Json.contentHash(a));
        assertThat(Json.canonical(a)).startsWith("{\"id\":\"t\",\"metadata\":{\"j\":2,\"k\":1}");
    }
}
