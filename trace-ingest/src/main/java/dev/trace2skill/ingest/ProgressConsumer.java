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
 * the evolved skill (stored as the skill's next version, which is then announced on {@code run-events} for the
 * merger), and Creation-mode drafts (stored, then the run launches).
 * A message that cannot be processed goes to {@code trace-ingest-dlq} with the reason; the consumer keeps going.
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
        if (e.type() != RunEvent.Type.SKILL_REGISTERED && e.type() != RunEvent.Type.RUN_CANCELLED) {
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
        SkillBundle bundle = e.evolved().bundle();
        List<Violation> violations = new SkillValidator().validate(bundle);
        if (!violations.isEmpty()) {
            runs.failed(e.runId(), "the evolved skill breaks the Agent Skills rules: " + violations);
            throw new IllegalArgumentException("evolved skill of run " + e.runId() + " is invalid: " + violations);
        }
        SkillStore.Version v = skills.register(bundle, "evolved:" + e.runId());
        runs.evolved(e.runId(), v.version());
        // the merger serves S* too (GET /v1/runs/{id}/skill): tell it which registry version S* became
        Outgoing.sendAndAwait(registrations, e.runId(), Json.write(RunEvent.skillRegistered(e.runId(), v.name() + "@" + v.version(), v.version())));
        LOG.infof("run %s: stored S* as %s@%d (%s)", e.runId(), v.name(), v.version(), e.summary());
    }

    @Incoming("skill-drafts")
    @Blocking
    public void drafted(String json) {
        SkillDrafted d = Json.read(json, SkillDrafted.class);
        if (runs.get(d.runId()).map(r -> r.status() == RunStatus.CANCELLED).orElse(false)) {
            LOG.infof("run %s was cancelled: its drafted S0 is not launched", d.runId());
            return;
        }
        if (d.skill() == null) {
            runs.failed(d.runId(), "drafting S0 failed: " + d.failure());
            return;
        }
        SkillBundle draft = d.skill().bundle();
        List<Violation> violations = new SkillValidator().validate(draft);
        if (!violations.isEmpty()) {
            runs.failed(d.runId(), "the drafted S0 breaks the Agent Skills rules: " + violations);
            return;
        }
        String expected = runs.skillName(d.runId()).orElseThrow(() -> new IllegalArgumentException("unknown run " + d.runId()));
        if (!expected.equals(draft.name())) {
            runs.failed(d.runId(), "the draft is named " + draft.name() + ", not " + expected);
            return;
        }
        SkillStore.Version v = skills.register(draft, "draft:" + d.runId());
        launcher.launchAfterDraft(d.runId(), draft, v.version());
    }
}
