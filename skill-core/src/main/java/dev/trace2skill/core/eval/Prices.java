package dev.trace2skill.core.eval;

import java.util.Map;

/**
 * Price per million tokens for each model, input and output separately; a model without a price costs nothing
 * (reported as null rather than as free).
 */
public record Prices(Map<String, Price> byModel) {
    public record Price(double inputPerMillion, double outputPerMillion) {
    }

    public Prices {
        byModel = byModel == null ? Map.of() : Map.copyOf(byModel);
    }

    public Double cost(String model, long promptTokens, long completionTokens) {
        Price p = byModel.get(model);
        return p == null ? null : (promptTokens * p.inputPerMillion() + completionTokens * p.outputPerMillion()) / 1_000_000.0;
    }
}
