package dev.trace2skill.worker;

import dev.trace2skill.model.ModelGateway;

import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import dev.trace2skill.testkit.ModelServerResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@QuarkusTest
class ModelGatewayTest {
    @Inject
    ModelGateway gateway;

    final ScriptedModelServer model = ModelServerResource.server();

    @Test
    void retriesRateLimitsAfterRetryAfterAndReportsUsage() {
        List<Long> times = new CopyOnWriteArrayList<>();
        model.when("gw-429", r -> {
            boolean mine = r.text().contains("gateway 429 test");
            if (mine) {
                times.add(System.nanoTime());
            }
            return mine;
        }, Reply.rateLimited(1), Reply.text("fine").withUsage(12, 3));
        ModelGateway.Reply reply = gateway.chat(gateway.resolve(ModelSettings.DEFAULTS), List.of(UserMessage.from("gateway 429 test")), List.of());
        assertThat(reply.text()).isEqualTo("fine");
        assertThat(reply.usage().total()).isEqualTo(15);
        assertThat(times).hasSize(2);
        assertThat((times.get(1) - times.get(0)) / 1_000_000).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void clientErrorsAreNotRetried() {
        model.when("gw-400", r -> r.text().contains("gateway 400 test"), Reply.error(400), Reply.text("never"));
        assertThatThrownBy(() -> gateway.chat(gateway.resolve(ModelSettings.DEFAULTS), List.of(UserMessage.from("gateway 400 test")), List.of()))
                .isInstanceOf(ModelGateway.ModelUnavailableException.class).hasMessageContaining("HTTP 400");
        assertThat(model.unplayed()).anyMatch(s -> s.startsWith("gw-400"));
    }

    @Test
    void unknownEndpointsAreRefused() {
        assertThatThrownBy(() -> gateway.resolve(new ModelSettings("nope", null, null, null, null)))
                .hasMessageContaining("unknown model endpoint 'nope'");
        assertThat(gateway.resolve(new ModelSettings(null, "http://10.0.0.5:8000/v1", "qwen", 0.0, 10)).baseUrl()).isEqualTo("http://10.0.0.5:8000/v1");
    }

    /**
     * A run's base URL is accepted only when the operator allowed it (here t2s.models.allowed-base-urls lists
     * http://10.0.0.5:8000/v1) or it is a configured endpoint's; the configured key goes to its own endpoint only.
     */
    @Test
    void baseUrlsComeFromTheAllowListAndKeysStayWithTheirEndpoint() {
        assertThatThrownBy(() -> gateway.resolve(new ModelSettings(null, "https://collector.attacker.example/v1", "qwen", null, null)))
                .isInstanceOf(ModelGateway.BaseUrlNotAllowed.class).hasMessageContaining("t2s.models.allowed-base-urls");
        assertThatThrownBy(() -> gateway.resolve(new ModelSettings(null, "http://user:pw@10.0.0.5:8000/v1", "qwen", null, null)))
                .isInstanceOf(ModelGateway.BaseUrlNotAllowed.class).hasMessageContaining("without user info");
        // allowed: no key travels with it, not even when the run also names an endpoint that has one
        ModelGateway.Target allowed = gateway.resolve(new ModelSettings("default", "HTTP://10.0.0.5:8000/v1/", "qwen", null, null));
        assertThat(allowed.apiKey()).isNull();
        assertThat(allowed.endpoint()).isEqualTo("url:http://10.0.0.5:8000/v1");
        // the default endpoint's own URL: that endpoint, with its own key
        ModelGateway.Target own = gateway.resolve(new ModelSettings(null, model.baseUrl() + "/", "qwen", null, null));
        assertThat(own.endpoint()).isEqualTo("default");
        assertThat(own.apiKey()).isEqualTo("test-key");
    }
}
