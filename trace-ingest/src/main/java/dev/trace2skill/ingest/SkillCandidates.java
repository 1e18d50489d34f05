package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillSafety;
import dev.trace2skill.service.Outgoing;
import dev.trace2skill.service.Problem;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The safety gate between S* and the registry. Every evolved skill is checked ({@link SkillSafety}: what S* adds to S0
 * — new addresses to send to, requests to set instructions aside, hidden text, secrets); a clean one is registered as
 * the skill's next version, a flagged one is held as a candidate and its run ends as {@code needs_approval}. A person
 * then approves it (it becomes the next version, the run is done) or rejects it (the run fails with the reason). The
 * merger hears of each outcome on {@code run-events} (SKILL_REGISTERED, SKILL_HELD, SKILL_REJECTED), so both services
 * report the same state.
 */
@ApplicationScoped
public class SkillCandidates {
    private static final Logger LOG = Logger.getLogger(SkillCandidates.class);

    @Inject
    CandidateStore candidates;
    @Inject
    SkillStore skills;
    @Inject
    RunStore runs;
    @Inject
    Jdbi jdbi;
    @Inject
    MeterRegistry registry;
    /** Registry events for the merger, on topic {@code run-events}. */
    @Inject
    @Channel("skill-registrations")
    MutinyEmitter<String> registrations;

    /** What became of an evolved skill. */
    public record Outcome(SkillStore.Version version, CandidateStore.Candidate candidate) {
    }

    /** The findings of the merger and this service's own check, without repeats. */
    static List<SkillSafety.Finding> findings(SkillEvolved e) {
        // without S0 in the message, everything in S* counts as added
        SkillBundle s0 = e.base() == null ? SkillBundle.ofText(e.evolved().name(), java.util.Map.of()) : e.base().bundle();
        LinkedHashSet<SkillSafety.Finding> all = new LinkedHashSet<>(SkillSafety.check(s0, e.evolved().bundle()));
        all.addAll(e.safety());
        return new ArrayList<>(all);
    }

    /** Registers S* when the safety check finds nothing; holds it as a candidate otherwise. */
    public Outcome evolved(SkillEvolved e) {
        List<SkillSafety.Finding> findings = findings(e);
        SkillBundle bundle = e.evolved().bundle();
        if (findings.isEmpty()) {
            SkillStore.Version v = skills.register(bundle, "evolved:" + e.runId());
            runs.evolved(e.runId(), v.version());
            Outgoing.sendAndAwait(registrations, e.runId(), Json.write(RunEvent.skillRegistered(e.runId(), v.name() + "@" + v.version(), v.version())));
            registry.counter("t2s.ingest.safety.checks", "outcome", "clean").increment();
            LOG.infof("run %s: stored S* as %s@%d (%s)", e.runId(), v.name(), v.version(), e.summary());
            return new Outcome(v, null);
        }
        CandidateStore.Candidate c = candidates.hold(e.runId(), e.base() == null ? null : e.base().version(), e.evolved(), findings);
        String summary = SkillSafety.summary(findings);
        if (CandidateStore.PENDING.equals(c.status())) {
            runs.needsApproval(e.runId(), "S* is held for approval as candidate " + c.id() + " of " + c.name() + ": " + summary);
            Outgoing.sendAndAwait(registrations, e.runId(), Json.write(RunEvent.skillHeld(e.runId(), c.id(), summary)));
        }
        registry.counter("t2s.ingest.safety.checks", "outcome", "held").increment();
        findings.forEach(f -> registry.counter("t2s.ingest.safety.findings", "kind", f.kind()).increment());
        LOG.warnf("run %s: S* held for approval as %s (%s)", e.runId(), c.id(), summary);
        return new Outcome(null, c);
    }

    /** Approves a pending candidate: it becomes the skill's next version, its run is done. */
    public Outcome approve(String name, String id, String note) {
        CandidateStore.Row row = jdbi.inTransaction(h -> {
            CandidateStore.Row r = candidates.lock(h, name, id).orElseThrow(() -> notFound(name, id));
            pending(r);
            SkillStore.Version v = skills.register(r.sStar().bundle(), "evolved:" + r.runId() + " (approved " + id + ")");
            candidates.decide(h, id, CandidateStore.APPROVED, v.version(), note == null ? "approved" : note);
            return r;
        });
        CandidateStore.Candidate c = candidates.get(name, id).orElseThrow().candidate();
        SkillStore.Version v = skills.version(name, c.version()).orElseThrow();
        if (row.runId() != null) {
            runs.evolved(row.runId(), v.version());
            Outgoing.sendAndAwait(registrations, row.runId(), Json.write(RunEvent.skillRegistered(row.runId(), v.name() + "@" + v.version(), v.version())));
        }
        registry.counter("t2s.ingest.safety.decisions", "decision", "approved").increment();
        LOG.infof("candidate %s approved: stored as %s@%d", id, v.name(), v.version());
        return new Outcome(v, c);
    }

    /** Rejects a pending candidate: it never becomes a version, its run fails with the reason. */
    public Outcome reject(String name, String id, String reason) {
        String why = reason == null || reason.isBlank() ? "rejected after the safety check" : reason.strip();
        CandidateStore.Row row = jdbi.inTransaction(h -> {
            CandidateStore.Row r = candidates.lock(h, name, id).orElseThrow(() -> notFound(name, id));
            pending(r);
            candidates.decide(h, id, CandidateStore.REJECTED, null, why);
            return r;
        });
        if (row.runId() != null) {
            String message = "S* (candidate " + id + ") was rejected: " + why;
            runs.failed(row.runId(), message, false); // the merger hears SKILL_REJECTED
            Outgoing.sendAndAwait(registrations, row.runId(), Json.write(RunEvent.skillRejected(row.runId(), message)));
        }
        registry.counter("t2s.ingest.safety.decisions", "decision", "rejected").increment();
        return new Outcome(null, candidates.get(name, id).orElseThrow().candidate());
    }

    private static void pending(CandidateStore.Row r) {
        if (!CandidateStore.PENDING.equals(r.status())) {
            throw Problem.of(409, "Already decided", "candidate " + r.id() + " is " + r.status()
                    + (r.version() == null ? "" : " (version " + r.version() + ")")).failure();
        }
    }

    private static Problem.Failure notFound(String name, String id) {
        return Problem.of(404, "No such candidate", name + " has no candidate " + id).failure();
    }
}
