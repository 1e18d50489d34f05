package dev.trace2skill.model;

import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.modelsim.LatencyModelServer;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-endpoint limits and per-run endpoints of the gateway every loop calls through. */
@QuarkusTest
@QuarkusTestResource(ModelServers.class)
class ModelGatewayEndpointsTest {
    @Inject
    ModelGateway gateway;
    @Inject
    RepairLoop repairLoop;
    @Inject
    MeterRegistry registry;

    @Test
    void callsToAnEndpointNeverExceedItsConcurrencySlots() throws Exception {
        LatencyModelServer slow = ModelServers.slow();
        slow.resetPeak();
        ModelGateway.Target narrow = gateway.resolve(new ModelSettings("narrow", null, null, null, null));
        assertThat(narrow.maxConcurrent()).isEqualTo(2);
        long start = System.nanoTime();
        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                answers.add(pool.submit(() -> gateway.chat(narrow, List.of(UserMessage.from("hello")), List.of()).text()));
            }
            for (Future<String> f : answers) {
                assertThat(f.get()).isEqualTo("slow answer");
            }
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        // the server could serve 16 at once; the gateway lets two through at a time: three waves of 200 ms
        assertThat(slow.peakConcurrency()).isEqualTo(2);
        assertThat(tookMs).isGreaterThanOrEqualTo(600);
    }

    @Test
    void aServerThatDoesNotAnswerWithinTheEndpointTimeoutFailsTheCallAfterItsRetries() {
        ModelGateway.Target stalled = gateway.resolve(new ModelSettings("stalled", null, null, null, null));
        long start = System.nanoTime();
        assertThatThrownBy(() -> gateway.chat(stalled, List.of(UserMessage.from("hello")), List.of()))
                .isInstanceOf(ModelGateway.ModelUnavailableException.class)
                .hasMessageContaining("did not answer within PT0.3S");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        // three attempts (two retries) of 300 ms each, with short backoffs between them, well before the 2 s answer
        assertThat(tookMs).isBetween(900L, 1_900L);
        assertThat(registry.find("t2s.model.retries").tags("endpoint", "stalled", "reason", "transport").counter()).isNotNull()
                .satisfies(c -> assertThat(c.count()).isEqualTo(2.0));
    }

    @Test
    void aRunCanNameItsOwnServerAndModel() {
        ScriptedModelServer model = ModelServers.scripted();
        model.reset();
        model.enqueue(Reply.text("7"));
        ModelGateway.Target own = gateway.resolve(new ModelSettings(null, model.baseUrl(), "run-model", 0.0, 100));
        RepairLoop.Outcome<Integer> out = repairLoop.run(own, List.of(UserMessage.from("a number?")), RepairLoopTest::number,
                RepairLoop.Rules.of("test-repair", 1));
        assertThat(out.value()).isEqualTo(7);
        assertThat(model.requests()).singleElement().satisfies(r -> {
            assertThat(r.model()).isEqualTo("run-model");
            assertThat(r.body().path("max_tokens").asInt()).isEqualTo(100);
        });
        assertThat(registry.find("t2s.model.loops").tags("loop", "repair", "end", "valid").counter()).isNotNull()
                .satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
        assertThat(registry.find("t2s.model.tokens").tags("model", "run-model").counters()).isNotEmpty();
    }
}
