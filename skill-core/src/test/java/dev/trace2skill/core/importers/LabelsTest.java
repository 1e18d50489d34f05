package dev.trace2skill.core.importers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelsTest {
    @Test
    void objectOfKeysToLabels() {
        Labels l = Labels.parse("{\"q1\": true, \"q2\": \"incorrect\", \"q3\": 0.5, \"q4\": {\"resolved\": true, \"gt\": \"42\"}}");
        assertThat(l.size()).isEqualTo(4);
        assertThat(l.find("Q1").orElseThrow().success()).isTrue();
        assertThat(l.find("q2").orElseThrow().success()).isFalse();
        assertThat(l.find("q3").orElseThrow()).satisfies(x -> {
            assertThat(x.success()).isFalse();
            assertThat(x.reward()).isEqualTo(0.5);
        });
        assertThat(l.find("nope", "q4").orElseThrow().expected()).isEqualTo("42");
        assertThat(l.find("nope")).isEmpty();
    }

    @Test
    void arraysAndNdjsonOfEntries() {
        Labels arr = Labels.parse("[{\"instance_id\": \"a__b-1\", \"resolved\": false}, {\"question\": \"Who  wrote Hamlet?\", \"correct\": \"yes\"}]");
        assertThat(arr.find("a__b-1").orElseThrow().success()).isFalse();
        assertThat(arr.find("who wrote hamlet?").orElseThrow().success()).isTrue();
        Labels nd = Labels.parse("{\"id\": \"x\", \"reward\": 1}\n\n{\"id\": \"y\", \"reward\": 0}\n");
        assertThat(nd.size()).isEqualTo(2);
        assertThat(nd.successes()).isEqualTo(1);
    }

    @Test
    void reportsOfIdLists() {
        Labels report = Labels.parse("{\"resolved_ids\": [\"a\"], \"unresolved_ids\": [\"b\"], \"error_ids\": [\"c\"], \"total_instances\": 3}");
        assertThat(report.find("a").orElseThrow().success()).isTrue();
        assertThat(report.find("b").orElseThrow().success()).isFalse();
        assertThat(report.find("c").orElseThrow().success()).isFalse();
        Labels sweAgent = Labels.parse("{\"generated\": [\"a\", \"b\"], \"applied\": [\"a\", \"b\"], \"resolved\": [\"a\"]}");
        assertThat(sweAgent.find("a").orElseThrow().success()).isTrue();
        assertThat(sweAgent.find("b").orElseThrow().success()).isFalse();
    }

    @Test
    void badFilesAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> Labels.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Labels.parse("[{\"correct\": true}]")).hasMessageContaining("[0]").hasMessageContaining("instance_id");
        assertThatThrownBy(() -> Labels.parse("{\"q1\": \"maybe\"}")).hasMessageContaining("'q1'").hasMessageContaining("not a label");
        assertThatThrownBy(() -> Labels.parse("{\"id\": \"x\", \"correct\": true}\nnot json")).hasMessageContaining("line 2");
    }

    @Test
    void roundTripsThroughItsStoredForm() {
        Labels l = Labels.parse("{\"q1\": true, \"q3\": 0.5, \"q4\": {\"resolved\": true, \"gt\": \"42\"}}");
        Labels back = Labels.fromJson(l.toJson());
        assertThat(back.size()).isEqualTo(3);
        assertThat(back.find("q3").orElseThrow()).isEqualTo(l.find("q3").orElseThrow());
        assertThat(back.find("q4").orElseThrow()).isEqualTo(l.find("q4").orElseThrow());
    }
}
