package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import dev.trace2skill.service.Outgoing;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Keeps runs current from the other services' messages: patch results (analysis counts and tokens), merge events,
 * the evolved skill (checked by {@link SkillCandidates}: stored as the skill's next version, or held for approval when
 * the safety check flags it; either is announced on {@code run-events} for the merger), and Creation-mode drafts
 * (stored, then the run launches; a draft asked for on its own is stored as the skill's first version). S* of a run
 * that failed here is not registered (the merger is told the run failed, again). A message that cannot be processed
 * goes to {@code trace-ingest-dlq} with the reason (by reference when large, see
 * {@link dev.trace2skill.service.DeadLetters}); the consumer keeps going.
 */
@ApplicationScoped
public class ProgressConsumer {
    private static final Logger LOG = Logger.getLogger(ProgressConsumer.class);

    @Inject
    RunStore runs;
    @Inject
    SkillStore skills;
    @Inject
    RunLauncher launcher;
    @Inject
    RunFailures failures;
    @Inject
    SkillCandidates candidates;
    @Inject
    SkillDrafts standaloneDrafts;
    /** SKILL_REGISTERED events, on topic {@code run-events} (a channel of its own: run-events is also incoming here). */
    @Inject
    @Channel("skill-registrations")
    MutinyEmitter<String> registrations;

    @Incoming("patch-results")
    @Blocking
    public void patchResult(String json) {
        runs.record(Json.read(json, PatchResult.class));
    }

    @Incoming("run-events")
    @Blocking
    public void runEvent(String json) {
        RunEvent e = Json.read(json, RunEvent.class);
        if (!e.type().fromRegistry()) {
            runs.mergeProgress(e);
        }
    }

    @Incoming("skills-evolved")
    @Blocking
    public void evolved(String json) {
        SkillEvolved e = Json.read(json, SkillEvolved.class);
        if (runs.get(e.runId()).map(r -> r.status() == RunStatus.CANCELLED).orElse(false)) {
            LOG.infof("run %s was cancelled: its S* is not registered", e.runId());
            return;
        }
        if (runs.status(e.runId()).orElse(null) == RunStatus.FAILED) {
            // trace-ingest failed this run (e.g. its jobs could not all be published) before the merger heard of it:
            // a failed run promotes no skill, and the merger is told again so that it ends the run as failed too
            LOG.warnf("run %s: S* arrived for a run that failed here; not registered, the merger is told again", e.runId());
            runs.get(e.runId()).ifPresent(r -> failures.announce(e.runId(), r.message() == null ? "failed in trace-ingest" : r.message()));
            return;
        }
        SkillBundle bundle = e.evolved().bundle();
        List<Violation> violations = new SkillValidator().validate(bundle);
        if (!violations.isEmpty()) {
            failures.fail(e.runId(), "the evolved skill breaks the Agent Skills rules: " + violations, true);
            throw new IllegalArgumentException("evolved skill of run " + e.runId() + " is invalid: " + violations);
        }
        // the safety check decides: a clean S* becomes the next version (and the merger, which serves S* too, hears
        // which), a flagged one is held as a candidate and the run needs approval
        candidates.evolved(e);
    }

    @Incoming("skill-drafts")
    @Blocking
    public void drafted(String json) {
        SkillDrafted d = Json.read(json, SkillDrafted.class);
        if (runs.get(d.runId()).map(r -> r.status() == RunStatus.CANCELLED).orElse(false)) {
            LOG.infof("run %s was cancelled: its drafted S0 is not launched", d.runId());
            return;
        }
        if (d.runId() != null && d.runId().startsWith(SkillDrafts.ID_PREFIX)) {
            standaloneDrafts.completed(d);
            return;
        }
        if (d.skill() == null) {
            failures.fail(d.runId(), "drafting S0 failed: " + d.failure(), false);
            return;
        }
        SkillBundle draft = d.skill().bundle();
        List<Violation> violations = new SkillValidator().validate(draft);
        if (!violations.isEmpty()) {
            failures.fail(d.runId(), "the drafted S0 breaks the Agent Skills rules: " + violations, false);
            return;
        }
        String expected = runs.skillName(d.runId()).orElseThrow(() -> new IllegalArgumentException("unknown run " + d.runId()));
        if (!expected.equals(draft.name())) {
            failures.fail(d.runId(), "the draft is named " + draft.name() + ", not " + expected, false);
            return;
        }
        if (runs.status(d.runId()).orElse(null) != RunStatus.DRAFTING) {
            return; // a redelivered draft, or a run that failed waiting for it
        }
        SkillStore.Version v = skills.register(draft, "draft:" + d.runId());
        launcher.launchAfterDraft(d.runId(), v.version());
    }
}
