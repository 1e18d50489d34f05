package dev.trace2skill.merger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/** Merger metrics: nodes by level and engine, repairs, fallbacks, dropped edits by reason, tokens, merge latency, patches received. */
@ApplicationScoped
public class MergerMetrics {
    @Inject
    MeterRegistry registry;

    void node(int level, String engine, int repairs, boolean fallback) {
        Counter.builder("t2s.merge.nodes").description("merge nodes done, by level and engine")
                .tags("level", Integer.toString(level), "engine", engine).register(registry).increment();
        if (repairs > 0) {
            Counter.builder("t2s.merge.repairs").description("merge outputs sent back for repair").register(registry).increment(repairs);
        }
        if (fallback) {
            Counter.builder("t2s.merge.fallbacks").description("merge nodes where the deterministic merge took over")
                    .register(registry).increment();
        }
    }

    void dropped(String reason, int n) {
        Counter.builder("t2s.merge.edits.dropped").description("edits dropped, by reason").tags("reason", reason)
                .register(registry).increment(n);
    }

    /** One safety check of an S*: held or clean, and its findings by kind. */
    void safety(java.util.List<dev.trace2skill.core.skill.SkillSafety.Finding> findings) {
        Counter.builder("t2s.merge.safety.checks").description("safety checks of S*, by outcome (held for approval or clean)")
                .tags("outcome", findings.isEmpty() ? "clean" : "held").register(registry).increment();
        for (var f : findings) {
            Counter.builder("t2s.merge.safety.findings").description("safety findings in S*, by kind").tags("kind", f.kind())
                    .register(registry).increment();
        }
    }

    void tokens(long prompt, long completion) {
        Counter.builder("t2s.merge.tokens").tags("type", "prompt").register(registry).increment(prompt);
        Counter.builder("t2s.merge.tokens").tags("type", "completion").register(registry).increment(completion);
    }

    void merged(Duration took, String outcome) {
        Timer.builder("t2s.merge.duration").description("time from merge start to S*").tags("outcome", outcome)
                .publishPercentileHistogram().register(registry).record(took);
    }

    void patchReceived(String status, boolean fresh) {
        Counter.builder("t2s.merge.patches.received").tags("status", status, "duplicate", Boolean.toString(!fresh))
                .register(registry).increment();
    }

    void embedded(int texts, long nanos) {
        Counter.builder("t2s.merge.embeddings").description("edit texts embedded by the local model").register(registry).increment(texts);
        Timer.builder("t2s.merge.embedding.duration").description("time to embed one batch of edit texts")
                .register(registry).record(Duration.ofNanos(nanos));
    }

    void attributionsRejected(int n) {
        Counter.builder("t2s.merge.attributions.rejected").description("sources a merge operator named that do not resemble the edit")
                .register(registry).increment(n);
    }

    void aborted() {
        Counter.builder("t2s.merge.runs.aborted").description("runs failed because trace-ingest failed them (RUN_ABORTED)")
                .register(registry).increment();
    }

    void lateResult() {
        Counter.builder("t2s.merge.patches.late").description("patch results that arrived after their run's merge started (stored, not merged)")
                .register(registry).increment();
    }

    void unverified(String action, int n) {
        Counter.builder("t2s.merge.unverified").description("unverified error patches, by what the run's policy did")
                .tags("action", action).register(registry).increment(n);
    }
}
