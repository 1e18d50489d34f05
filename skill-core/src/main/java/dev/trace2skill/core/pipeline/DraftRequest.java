package dev.trace2skill.core.pipeline;

import java.util.List;

/**
 * Creation mode without a human S0: draft an initial skill from the model's parametric knowledge.
 *
 * @param runId        run id
 * @param skillName    name (= folder name) the draft must carry
 * @param domain       what the skill is for, in words (becomes the description's basis)
 * @param sampleQueries a few task queries from the run's trajectories, to show the domain
 * @param config       the run's configuration (engine and models)
 */
public record DraftRequest(String runId, String skillName, String domain, List<String> sampleQueries, RunConfig config) {
    public DraftRequest {
        sampleQueries = sampleQueries == null ? List.of() : List.copyOf(sampleQueries);
    }
}
