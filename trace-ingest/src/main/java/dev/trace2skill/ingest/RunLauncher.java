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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Starts evolution runs: resolves S0, selects the trajectories (ids and outcomes only, streamed from the database),
 * records the run, then publishes {@link RunStarted} and one {@link AnalysisJob} per trajectory (key run id +
 * trajectory id, spread evenly over the partitions). A job inlines the frozen S0 and its trajectory when the stored
 * trajectory is at most {@code t2s.runs.inline-trajectory-bytes}; a larger one travels by reference and the worker
 * reads it from trace-ingest. Bodies are streamed from the database and the jobs sent in bounded chunks, each
 * acknowledged before the next is read, so a run of any size publishes in bounded memory. A run is bounded by what its
 * announcement can carry (its job ids and S0 in one message): a larger selection is refused with 422 naming
 * {@code trajectories.limit}. A Creation-mode run without S0 first asks the analyst workers for a draft and launches
 * when it arrives.
 * <p>
 * When publishing fails (Kafka unreachable, a send refused), the run stays {@code publishing} with the reason and
 * {@link RunWatchdog} tries again after {@code t2s.runs.publish-retry-delay}, up to {@code t2s.runs.publish-attempts}
 * attempts in all; then the run fails with the reason, and the merger is told (RUN_ABORTED) so that it closes the
 * run's pool the same way. Publishing twice is harmless: a job's patch id makes its result count once.
 */
@ApplicationScoped
public class RunLauncher {
    private static final Logger LOG = Logger.getLogger(RunLauncher.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Jobs sent before waiting for the broker's acknowledgements: at most this many records or {@link #CHUNK_BYTES}. */
    static final int CHUNK_RECORDS = 256;
    static final long CHUNK_BYTES = 16L * 1024 * 1024;

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
    @Inject
    RunFailures failures;
    /** A run's jobs, in chunks of at most {@link #CHUNK_RECORDS} records awaited together. */
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
    @ConfigProperty(name = "t2s.runs.inline-trajectory-bytes", defaultValue = "262144")
    long inlineTrajectoryBytes;
    @ConfigProperty(name = "t2s.runs.max-announcement-bytes", defaultValue = "8388608")
    long maxAnnouncementBytes;
    @ConfigProperty(name = "t2s.runs.publish-attempts", defaultValue = "5")
    int publishAttempts;
    @ConfigProperty(name = "t2s.runs.publish-timeout", defaultValue = "30s")
    Duration publishTimeout;
    /** Model base URLs a run may give ({@code models.*.baseUrl}); none by default: runs name endpoints. */
    @ConfigProperty(name = "t2s.models.allowed-base-urls")
    Optional<List<String>> allowedBaseUrls;

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
        List<dev.trace2skill.service.Problem.FieldProblem> urls = new ArrayList<>();
        if (req.models() != null) {
            baseUrl("models.analyst.baseUrl", req.models().analyst(), urls);
            baseUrl("models.merger.baseUrl", req.models().merger(), urls);
        }
        if (!urls.isEmpty()) {
            throw dev.trace2skill.service.Problem.of(422, "Model endpoint not allowed",
                    "a run sends its trajectories and skill to its model servers: only configured ones may be named", urls).failure();
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
        List<TrajectoryStore.Candidate> selected = trajectories.candidates(new TrajectoryStore.Filter(sel.dataset(),
                "any".equals(outcome) ? null : outcome, sel.ids(), sel.experiment(), sel.skillRef()), limit);
        Map<String, AnalystKind> jobs = new LinkedHashMap<>();
        for (TrajectoryStore.Candidate t : selected) {
            analysts.analystFor(t.success(), engine).ifPresent(a -> jobs.put(t.id(), a));
        }
        if (jobs.isEmpty()) {
            throw TrajectoryResource.field(422, "No trajectories to analyse", "trajectories", selected.size()
                    + " trajectories matched the selection, and none is for the " + analysts.wire() + " analysts");
        }
        String runId = newRunId();
        long skillBytes = s0.map(v -> skills.bundle(skillName, v.version()).map(b -> (long) Json.write(SkillSnapshot.of(b, v.version())).length())
                .orElse(0L)).orElse(0L);
        long announcement = announcementBytes(runId, jobs.keySet(), skillBytes);
        if (announcement > maxAnnouncementBytes) {
            long perJob = Math.max(1, (announcement - skillBytes) / jobs.size());
            long fits = Math.max(1, (maxAnnouncementBytes - skillBytes - 4_096) / perJob);
            throw TrajectoryResource.field(422, "Run too large", "trajectories.limit", "the selection holds " + jobs.size()
                    + " jobs, and a run announces all its job ids and S0 in one message of at most " + maxAnnouncementBytes
                    + " bytes (this one would be " + announcement + "): select at most about " + fits + " trajectories");
        }
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
            List<String> samples = trajectories.queries(jobs.keySet().stream().limit(5).toList());
            String domain = req.domain() != null ? req.domain() : "the tasks of dataset " + sel.dataset();
            try {
                Outgoing.sendAllAndAwait(draftRequests, List.of(Outgoing.keyed(runId, Json.write(new DraftRequest(runId, skillName, domain, samples, config)))),
                        publishTimeout);
                LOG.infof("run %s: asked for a Creation-mode draft of %s before analysing %d trajectories", runId, skillName, jobs.size());
            } catch (RuntimeException e) {
                failures.fail(runId, "cannot ask for a Creation-mode draft: " + e.getMessage(), false);
            }
        } else {
            attempt(runId, 1);
        }
        return new Started(runs.get(runId).orElseThrow(), true);
    }

    /** Sends a draft request (of a run, or of {@link SkillDrafts}) and waits for the broker's acknowledgement. */
    void requestDraft(String key, String json) {
        Outgoing.sendAndAwait(draftRequests, key, json);
    }

    /** The size of a run's announcement ({@link RunStarted}): its job ids and S0, and a little for the rest. */
    static long announcementBytes(String runId, java.util.Collection<String> trajectoryIds, long skillBytes) {
        long ids = 0;
        for (String id : trajectoryIds) {
            ids += runId.length() + 1 + id.length() + 3;
        }
        return ids + skillBytes + 2_048;
    }

    /** After a Creation-mode draft was stored as a version of the skill. */
    public void launchAfterDraft(String runId, int version) {
        if (runs.drafted(runId, version)) {
            attempt(runId, 1);
        }
    }

    /**
     * One attempt at publishing a run's jobs (the run is claimed by the caller). A failed attempt leaves the run
     * {@code publishing} with the reason for a later one, or fails the run after the last.
     */
    public boolean attempt(String runId, int attemptNumber) {
        try {
            launch(runId);
            return true;
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            metrics.publishFailed();
            if (attemptNumber >= publishAttempts) {
                LOG.errorf("run %s: publishing failed on attempt %d of %d, the run fails: %s", runId, attemptNumber, publishAttempts, reason);
                failures.fail(runId, "could not publish the run's jobs (" + attemptNumber + " attempts): " + reason, true);
            } else {
                LOG.warnf("run %s: publishing failed on attempt %d of %d, retrying later: %s", runId, attemptNumber, publishAttempts, reason);
                runs.publishFailed(runId, "publishing failed (attempt " + attemptNumber + " of " + publishAttempts + "), retrying: " + reason);
            }
            return false;
        }
    }

    /** Publishes the run's announcement and its jobs, from what the database holds about it. */
    void launch(String runId) {
        RunStore.Launch run = runs.launch(runId).orElseThrow(() -> new IllegalStateException("unknown run " + runId));
        if (!RunStatus.PUBLISHING.wire().equals(run.status())) {
            return;
        }
        int version = run.skillVersion();
        SkillBundle s0 = skills.bundle(run.skillName(), version)
                .orElseThrow(() -> new IllegalStateException("the registry has no " + run.skillName() + "@" + version));
        RunConfig config = run.runConfig();
        SkillSnapshot snapshot = SkillSnapshot.of(s0, version);
        List<String> jobIds = runs.jobKeys(runId);
        Outgoing.sendAllAndAwait(runAnnouncements, List.of(Outgoing.keyed(runId, Json.write(new RunStarted(runId, snapshot, config, jobIds,
                run.createdAt())))), publishTimeout);
        // Jobs go round-robin over the partitions from a random start instead of by the hash of their keys: a worker
        // owns whole partitions, and a run lasts as long as its busiest worker. Hashing N keys leaves a worker's share
        // binomial (512 jobs over 2 workers came out 272 / 240 in bench/ WorkerBench); round-robin evens it to one job
        // per partition. Nothing depends on a job's partition: patch ids, not partitions, make redeliveries idempotent.
        int partitions = Outgoing.partitions(kafka, Topics.ANALYSIS_JOBS, Topics.ANALYSIS_JOBS);
        int first = RANDOM.nextInt(partitions);
        int total = jobIds.size();
        Chunk chunk = new Chunk();
        int[] published = {0};
        int[] byReference = {0};
        // S0 and the configuration are the same in every job: written once; a stored body is already a trajectory's JSON
        String snapshotJson = Json.write(snapshot);
        String configJson = config == null ? null : Json.write(config);
        trajectories.forRun(runId, inlineTrajectoryBytes, t -> {
            String key = Topics.jobKey(runId, t.id());
            AnalystKind analyst = AnalystKind.fromWire(t.analyst());
            if (t.body() == null) {
                byReference[0]++;
            }
            String value = Json.write(new PublishedJob(key, runId, analyst, snapshotJson, t.body(), configJson, total,
                    t.body() != null ? null : new AnalysisJob.TrajectoryRef(t.id(), t.success(), t.bodyBytes())));
            chunk.add(Outgoing.toPartition((first + published[0]++) % partitions, key, value), value.length());
            if (chunk.records.size() >= CHUNK_RECORDS || chunk.bytes >= CHUNK_BYTES) {
                chunk.send();
            }
        });
        chunk.send();
        runs.published(runId, published[0], version);
        metrics.jobsPublished(published[0]);
        LOG.infof("run %s: published %d analysis jobs against %s (%d by reference)", runId, published[0], snapshot.ref(), byReference[0]);
    }

    /** Jobs sent together and awaited together. */
    private final class Chunk {
        final List<Message<String>> records = new ArrayList<>(CHUNK_RECORDS);
        long bytes;

        void add(Message<String> record, long size) {
            records.add(record);
            bytes += size;
        }

        void send() {
            Outgoing.sendAllAndAwait(analysisJobs, records, publishTimeout);
            records.clear();
            bytes = 0;
        }
    }

    /** A run's {@code baseUrl} must be listed in {@code t2s.models.allowed-base-urls} (the workers and the merger check again). */
    private void baseUrl(String field, ModelSettings settings, List<dev.trace2skill.service.Problem.FieldProblem> problems) {
        if (settings != null && settings.baseUrl() != null && !dev.trace2skill.core.pipeline.BaseUrls.allowed(settings.baseUrl(),
                allowedBaseUrls.orElse(List.of()))) {
            problems.add(dev.trace2skill.service.Problem.FieldProblem.of(field, dev.trace2skill.core.pipeline.BaseUrls.refusal(settings.baseUrl())));
        }
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
