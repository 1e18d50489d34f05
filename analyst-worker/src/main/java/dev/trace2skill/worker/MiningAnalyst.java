package dev.trace2skill.worker;

import dev.trace2skill.core.mining.MiningParams;
import dev.trace2skill.core.mining.TraceMiner;
import dev.trace2skill.core.trajectory.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The offline analyser: no model. It emits the trajectory's candidate findings (tool sequences, error signatures,
 * recoveries, tool use, an example, an eval case), each supported by this trajectory; the merger counts and selects.
 */
@ApplicationScoped
public class MiningAnalyst {
    Analysis analyse(AnalysisContext ctx) {
        TraceMiner miner = new TraceMiner(MiningParams.DEFAULT.withMinSupport(ctx.job.config().minSupport()));
        return new Analysis(miner.candidates(ctx.job.trajectory(), ctx.patchId()), null, null, TokenUsage.ZERO, 0, 0);
    }
}
