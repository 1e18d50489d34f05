package dev.trace2skill.ingest;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.DraftRequest;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.RunStarted;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.pipeline.UnverifiedPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.service.Outgoing;
import dev.trace2skill.service.Violations;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Starts evolution runs: resolves S0, selects the trajectories, records the run, then publishes {@link RunStarted} and
 * one {@link AnalysisJob} per trajectory (key run id + trajectory id, spread evenly over the partitions; each job
 * inlines the trajectory and the frozen S0). A Creation-mode run without S0 first asks the analyst workers for a draft
 * and launches when it arrives.
 */
@ApplicationScoped
public class RunLauncher {
    private static final Logger LOG = Logger.getLogger(RunLauncher.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    TrajectoryStore trajectories;
    @Inject
    SkillStore skills;
    @Inject
    RunStore runs;
    @Inject
    IngestMetrics metrics;
    @Inject
    Validator validator;
    /** A run's jobs, all at once: up to {@link RunRequest#MAX_LIMIT} records wait for the sender. */
    @Inject
    @Channel(Topics.ANALYSIS_JOBS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    MutinyEmitter<String> analysisJobs;
    @Inject
    @Channel(Topics.RUNS)
    MutinyEmitter<String> runAnnouncements;
    @Inject
    @Channel(Topics.DRAFT_REQUESTS)
    MutinyEmitter<String> draftRequests;
    @Inject
    KafkaClientService kafka;

    @ConfigProperty(name = "t2s.runs.default-min-support", defaultValue = "2")
    int defaultMinSupport;

    /** A run as {@link #start} found or started it. */
    public record Started(RunView run, boolean created) {
    }

    public RunView start(RunRequest req) {
        return startOrFind(req).run();
    }

    /**
     * Starts a run, or, when the request carries a {@code requestId} already used, returns the run that key started
     * (whatever the rest of the request says).
     */
    public Started startOrFind(RunRequest req) {
        if (req == null) {
            throw TrajectoryResource.field(400, "Missing body", "(body)", "send the run as JSON");
        }
        Set<ConstraintViolation<RunRequest>> violations = validator.validate(req);
        if (!violations.isEmpty()) {
            throw Violations.problem(400, "Invalid run", "the run request has " + violations.size() + " problem(s)", violations).failure();
        }
        if (req.requestId() != null) {
            Optional<RunView> existing = runs.byRequestId(req.requestId());
            if (existing.isPresent()) {
                return new Started(existing.get(), false);
            }
        }
        EvolutionMode mode = req.mode() == null ? EvolutionMode.DEEPENING : EvolutionMode.fromWire(req.mode());
        AnalystSelection analysts = req.analysts() == null ? AnalystSelection.COMBINED : AnalystSelection.fromWire(req.analysts());
        AnalysisEngine engine = req.engine() == null ? AnalysisEngine.LLM : AnalysisEngine.fromWire(req.engine());
        int branching = req.mergeBranching() == null ? RunConfig.DEFAULT_BRANCHING : req.mergeBranching();
        int minSupport = req.minSupport() == null ? defaultMinSupport : req.minSupport();
        Long maxTokens = req.budget() == null ? null : req.budget().maxTokens();
        UnverifiedPolicy unverified = req.unverified() == null ? null : UnverifiedPolicy.fromWire(req.unverified());
        Long idleSeconds = req.mergeWindow() == null ? null : req.mergeWindow().idleSeconds();
        Long maxSeconds = req.mergeWindow() == null ? null : req.mergeWindow().maxSeconds();
        RunRequest.Selection sel = req.trajectories();
        String outcome = sel.outcome();
        int limit = sel.limit() == null ? RunRequest.DEFAULT_LIMIT : sel.limit();
        ModelSettings analystModel = req.models() == null ? null : req.models().analyst();
        ModelSettings mergerModel = req.models() == null ? null : req.models().merger();
        RunConfig config = new RunConfig(mode, analysts, engine, branching, minSupport, analystModel, mergerModel, maxTokens,
                unverified, idleSeconds, maxSeconds);

        String skillName = req.skill().contains("@") ? req.skill().substring(0, req.skill().indexOf('@')) : req.skill();
        Optional<SkillStore.Version> s0 = resolveSkill(req.skill(), mode);
        List<Trajectory> selected = trajectories.select(new TrajectoryStore.Filter(sel.dataset(), "any".equals(outcome) ? null : outcome,
                sel.ids(), sel.experiment(), sel.skillRef()), limit);
        Map<String, AnalystKind> jobs = new LinkedHashMap<>();
        for (Trajectory t : selected) {
            analysts.analystFor(t, engine).ifPresent(a -> jobs.put(t.id(), a));
        }
        if (jobs.isEmpty()) {
            throw TrajectoryResource.field(422, "No trajectories to analyse", "trajectories", selected.size()
                    + " trajectories matched the selection, and none is for the " + analysts.wire() + " analysts");
        }
        String runId = newRunId();
        try {
            runs.create(new RunStore.NewRun(runId, s0.isPresent() ? RunStatus.PUBLISHING : RunStatus.DRAFTING, config, skillName,
                    s0.map(SkillStore.Version::version).orElse(null), req), jobs);
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            // the same requestId sent twice at once: the other request's run stands
            Optional<RunView> other = req.requestId() == null ? Optional.empty() : runs.byRequestId(req.requestId());
            if (other.isPresent()) {
                return new Started(other.get(), false);
            }
            throw e;
        }
        metrics.runStarted(engine.wire(), analysts.wire(), mode.wire());
        if (s0.isEmpty()) {
            List<String> samples = selected.stream().map(Trajectory::query).limit(5).toList();
            String domain = req.domain() != null ? req.domain() : "the tasks of dataset " + sel.dataset();
            Outgoing.sendAndAwait(draftRequests, runId, Json.write(new DraftRequest(runId, skillName, domain, samples, config)));
            LOG.infof("run %s: asked for a Creation-mode draft of %s before analysing %d trajectories", runId, skillName, jobs.size());
        } else {
            SkillBundle bundle = skills.bundle(skillName, s0.get().version()).orElseThrow();
            launch(runId, bundle, s0.get().version(), config, selected.stream().filter(t -> jobs.containsKey(t.id())).toList(), jobs);
        }
        return new Started(runs.get(runId).orElseThrow(), true);
    }

    /** Sends a draft request (of a run, or of {@link SkillDrafts}) and waits for the broker's acknowledgement. */
    void requestDraft(String key, String json) {
        Outgoing.sendAndAwait(draftRequests, key, json);
    }

    /** After a Creation-mode draft was stored as a version of the skill. */
    public void launchAfterDraft(String runId, SkillBundle draft, int version) {
        RunConfig config = runs.config(runId).orElseThrow(() -> new IllegalStateException("unknown run " + runId));
        Map<String, AnalystKind> jobs = runs.jobs(runId);
        List<Trajectory> selected = trajectories.select(new TrajectoryStore.Filter(null, null, new ArrayList<>(jobs.keySet()), null, null),
                jobs.size());
        launch(runId, draft, version, config, selected, jobs);
    }

    void launch(String runId, SkillBundle s0, int version, RunConfig config, List<Trajectory> selected, Map<String, AnalystKind> jobs) {
        SkillSnapshot snapshot = SkillSnapshot.of(s0, version);
        List<String> jobIds = selected.stream().map(t -> Topics.jobKey(runId, t.id())).toList();
        Outgoing.sendAndAwait(runAnnouncements, runId, Json.write(new RunStarted(runId, snapshot, config, jobIds, Instant.now())));
        // Jobs go round-robin over the partitions from a random start instead of by the hash of their keys: a worker
        // owns whole partitions, and a run lasts as long as its busiest worker. Hashing N keys leaves a worker's share
        // binomial (512 jobs over 2 workers came out 272 / 240 in bench/ WorkerBench); round-robin evens it to one job
        // per partition. Nothing depends on a job's partition: patch ids, not partitions, make redeliveries idempotent.
        int partitions = Outgoing.partitions(kafka, Topics.ANALYSIS_JOBS, Topics.ANALYSIS_JOBS);
        int first = RANDOM.nextInt(partitions);
        List<Message<String>> records = new ArrayList<>(selected.size());
        for (Trajectory t : selected) {
            String key = Topics.jobKey(runId, t.id());
            AnalysisJob job = new AnalysisJob(key, runId, jobs.get(t.id()), snapshot, t, config, selected.size());
            records.add(Outgoing.toPartition((first + records.size()) % partitions, key, Json.write(job)));
        }
        Outgoing.sendAllAndAwait(analysisJobs, records);
        runs.published(runId, records.size(), version);
        metrics.jobsPublished(records.size());
        LOG.infof("run %s: published %d analysis jobs against %s", runId, records.size(), snapshot.ref());
    }

    private Optional<SkillStore.Version> resolveSkill(String ref, EvolutionMode mode) {
        if (ref.contains("@")) {
            String name = ref.substring(0, ref.indexOf('@'));
            int version;
            try {
                version = Integer.parseInt(ref.substring(ref.indexOf('@') + 1));
            } catch (NumberFormatException e) {
                throw TrajectoryResource.field(400, "Invalid skill reference", "skill", "use name@version with a version number");
            }
            return Optional.of(skills.version(name, version).orElseThrow(() ->
                    TrajectoryResource.field(404, "No such skill version", "skill", name + " has no version " + version)));
        }
        Optional<SkillStore.Version> latest = skills.latest(ref);
        if (latest.isEmpty() && mode != EvolutionMode.CREATION) {
            throw TrajectoryResource.field(404, "No such skill", "skill", "no skill named " + ref
                    + "; register one, or start a creation-mode run to draft it");
        }
        if (latest.isEmpty() && !dev.trace2skill.core.skill.SkillValidator.NAME_PATTERN.matcher(ref).matches()) {
            throw TrajectoryResource.field(400, "Invalid skill name", "skill", "a new skill's name must match "
                    + dev.trace2skill.core.skill.SkillValidator.NAME_PATTERN.pattern());
        }
        return latest;
    }

    static String newRunId() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return "run-" + Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().formatHex(b);
    }
}
