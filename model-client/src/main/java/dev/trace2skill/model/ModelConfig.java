package dev.trace2skill.model;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Model endpoints and defaults. An endpoint is any OpenAI-compatible server (vLLM, Ollama, OpenAI, …):
 * {@code t2s.models.endpoints.<name>.base-url}, {@code .api-key} (from a secret), {@code .max-concurrent} (calls in flight
 * to it from this replica), {@code .timeout}. A run's {@code ModelSettings} picks an endpoint by name or gives a base URL
 * that is a configured endpoint's or listed in {@code allowed-base-urls}.
 */
@ConfigMapping(prefix = "t2s.models")
public interface ModelConfig {
    /** The endpoint used when a run names none. */
    @WithDefault("default")
    String defaultEndpoint();

    Map<String, Endpoint> endpoints();

    /**
     * Base URLs a run or an evaluation may give directly ({@code models.*.baseUrl}); none by default. A given base URL
     * equal to a named endpoint's URL uses that endpoint. Keyless: a configured API key goes only to its own endpoint.
     */
    Optional<java.util.List<String>> allowedBaseUrls();

    @WithDefault("gpt-4o-mini")
    String model();

    @WithDefault("0.2")
    double temperature();

    @WithDefault("2048")
    int maxTokens();

    Retry retry();

    CircuitBreaker circuitBreaker();

    interface Endpoint {
        String baseUrl();

        Optional<String> apiKey();

        @WithDefault("16")
        int maxConcurrent();

        @WithDefault("120s")
        Duration timeout();
    }

    interface Retry {
        /** Retries after the first attempt, for HTTP 429, 5xx and transport errors. */
        @WithDefault("4")
        int maxRetries();

        @WithDefault("500ms")
        Duration initialDelay();

        @WithDefault("30s")
        Duration maxDelay();

        @WithDefault("250ms")
        Duration jitter();

        /** Longest Retry-After honoured; beyond it the call fails rather than waiting. */
        @WithDefault("60s")
        Duration maxRetryAfter();
    }

    interface CircuitBreaker {
        @WithDefault("20")
        int requestVolumeThreshold();

        @WithDefault("0.5")
        double failureRatio();

        @WithDefault("10s")
        Duration delay();
    }
}
