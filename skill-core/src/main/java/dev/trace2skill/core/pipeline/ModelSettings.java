package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which model a stage calls. {@code endpoint} names an endpoint configured on the service (base URL and API key
 * come from its configuration and secrets, so keys never travel on Kafka); {@code baseUrl} may point at a keyless
 * OpenAI-compatible server directly (e.g. an in-cluster vLLM). Null fields fall back to the service's defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSettings(String endpoint, String baseUrl, String model, Double temperature, Integer maxTokens) {
    public static final ModelSettings DEFAULTS = new ModelSettings(null, null, null, null, null);

    public ModelSettings orElse(ModelSettings fallback) {
        if (fallback == null) {
            return this;
        }
        return new ModelSettings(endpoint != null ? endpoint : fallback.endpoint, baseUrl != null ? baseUrl : fallback.baseUrl,
                model != null ? model : fallback.model, temperature != null ? temperature : fallback.temperature,
                maxTokens != null ? maxTokens : fallback.maxTokens);
    }
}
