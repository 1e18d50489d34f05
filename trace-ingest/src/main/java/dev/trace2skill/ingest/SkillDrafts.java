package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.SkillDrafted;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import dev.trace2skill.service.Problem;
import dev.trace2skill.service.Violations;
import dev.trace2skill.service.WireName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creation mode's S0 on its own: {@code POST /v1/skills/{name}/drafts} asks the analyst workers (topic
 * {@code draft-requests}) to draft a new skill from the model's parametric knowledge and a domain brief, before any
 * trajectory exists; the draft that comes back on {@code skill-drafts} is checked with the Agent Skills rules and
 * registered as the skill's first version. The evaluator's experiments draft S0 this way, so Stage 1 runs with it.
 */
@ApplicationScoped
public class SkillDrafts {
    private static final Logger LOG = Logger.getLogger(SkillDrafts.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Drafts' ids start with this, runs' with {@code run-}: the draft consumer tells them apart by it. */
    public static final String ID_PREFIX = "draft-";
    static final int MAX_SAMPLES = 5;
    static final int MAX_SAMPLE_CHARS = 4000;

    @Inject
    DraftStore drafts;
    @Inject
    SkillStore skills;
    @Inject
    RunLauncher launcher;
    @Inject
    Validator validator;

    /**
     * @param domain    what the skill is for, in words (the draft's brief)
     * @param model     the model that drafts (default: the workers' default model)
     * @param engine    {@code llm} (a model drafts) or {@code mining} (a skeleton for the offline miner to fill)
     * @param samples   up to five example tasks of the domain
     * @param requestId the client's key: the same key again returns the draft it started
     */
    public record Body(
            @NotBlank(message = "is required: what the skill is for") @Size(max = 4000, message = "must be at most 4000 characters") String domain,
            ModelSettings model,
            @WireName(AnalysisEngine.class) String engine,
            @Size(max = MAX_SAMPLES, message = "at most " + MAX_SAMPLES + " samples") List<@Size(max = MAX_SAMPLE_CHARS, message = "must be at most "
                    + MAX_SAMPLE_CHARS + " characters") String> samples,
            @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}", message = "must be 1-200 letters, digits and . _ : @ -") String requestId) {
    }

    public record Started(DraftStore.Draft draft, boolean created) {
    }

    public Started start(String name, Body body) {
        if (body == null) {
            throw TrajectoryResource.field(400, "Missing body", "(body)", "send {\"domain\": ...}");
        }
        Set<ConstraintViolation<Body>> violations = validator.validate(body);
        if (!violations.isEmpty()) {
            throw Violations.problem(400, "Invalid draft request", violations.size() + " problem(s) in the request", violations).failure();
        }
        if (!SkillValidator.NAME_PATTERN.matcher(name).matches() || name.length() > 64) {
            throw TrajectoryResource.field(400, "Invalid skill name", "name", "a skill's name must match " + SkillValidator.NAME_PATTERN.pattern()
                    + " (at most 64 characters)");
        }
        if (body.requestId() != null) {
            Optional<DraftStore.Draft> existing = drafts.byRequestId(body.requestId());
            if (existing.isPresent()) {
                return new Started(existing.get(), false);
            }
        }
        if (skills.latest(name).isPresent()) {
            throw Problem.field(409, "Skill exists", "a draft is a new skill's first version; " + name + " already has versions",
                    "name", "choose a new name, or evolve " + name + " in Deepening mode");
        }
        AnalysisEngine engine = body.engine() == null ? AnalysisEngine.LLM : AnalysisEngine.fromWire(body.engine());
        ModelSettings model = body.model() == null ? ModelSettings.DEFAULTS : body.model();
        String id = newId();
        if (!drafts.create(id, name, body.requestId(), body.domain(), engine.wire(), model.model())) {
            return new Started(drafts.byRequestId(body.requestId()).orElseThrow(), false);
        }
        RunConfig config = new RunConfig(EvolutionMode.CREATION, AnalystSelection.COMBINED, engine, 0, 0, model, model, null);
        launcher.requestDraft(id, Json.write(new DraftRequest(id, name, body.domain(), body.samples() == null ? List.of() : body.samples(), config)));
        LOG.infof("draft %s: asked the workers for a draft of %s", id, name);
        return new Started(drafts.get(id).orElseThrow(), true);
    }

    public Optional<DraftStore.Draft> get(String name, String id) {
        return drafts.get(id).filter(d -> d.name().equals(name));
    }

    /** A draft from the workers: registered as the skill's version when it is a valid skill of that name. */
    public void completed(SkillDrafted d) {
        DraftStore.Draft draft = drafts.get(d.runId()).orElseThrow(() -> new IllegalArgumentException("unknown draft " + d.runId()));
        if (d.skill() == null) {
            drafts.failed(draft.id(), "drafting failed: " + d.failure(), d.usage());
            return;
        }
        SkillBundle bundle = d.skill().bundle();
        List<Violation> violations = new SkillValidator().validate(bundle);
        if (!violations.isEmpty()) {
            drafts.failed(draft.id(), "the draft breaks the Agent Skills rules: " + violations, d.usage());
            return;
        }
        if (!draft.name().equals(bundle.name())) {
            drafts.failed(draft.id(), "the draft is named " + bundle.name() + ", not " + draft.name(), d.usage());
            return;
        }
        SkillStore.Version v = skills.register(bundle, "draft:" + draft.id());
        drafts.done(draft.id(), v.version(), d.usage());
        LOG.infof("draft %s: stored as %s@%d", draft.id(), v.name(), v.version());
    }

    static String newId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return ID_PREFIX + HexFormat.of().formatHex(b);
    }
}
