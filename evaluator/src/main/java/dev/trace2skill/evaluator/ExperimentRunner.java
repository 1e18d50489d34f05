package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.experiment.LeakageCheck;
import dev.trace2skill.core.experiment.TaskSplit;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.model.ModelGateway;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Drives experiments through their stages, one virtual thread per running experiment. Each step reads what the
 * experiment stored, does the next thing, and stores what it started before it waits on it, so a restarted evaluator
 * goes on where the last one stopped (see {@link #resume}):
 * <ol>
 *   <li>drafting (Creation): a draft of S0 asked of trace-ingest (key {@code <id>-s0}, so asking again finds it), and
 *       the draft's leakage check;</li>
 *   <li>Stage 1: an evaluation {@code <id>-r<round>-evolve} of S0 on D_evolve with the author model (the built-in
 *       runner resumes its pending episodes by itself);</li>
 *   <li>sending: Stage 1's scored episodes to trace-ingest as trajectories of dataset {@code <id>-r<round>}, tagged
 *       with the experiment ({@code metadata.experimentId}), their skill ({@code skillRef}) and task (ids already
 *       stored are duplicates, so sending again is harmless);</li>
 *   <li>evolving: a run on exactly those trajectories (selected by dataset, experiment and S0's reference), key
 *       {@code <id>-r<round>}, followed until S* is registered;</li>
 *   <li>checking: S* against D_test's tasks and answers ({@link LeakageCheck}); a leak refuses the experiment;</li>
 *   <li>testing: an evaluation {@code <id>-r<round>-test} of no skill, S0 and S* (later rounds: the new S*, whose S0
 *       was measured in the round before) on D_test for every user model; then the next round, with S* as S0.</li>
 * </ol>
 * One token budget covers every stage: before a stage starts, what the experiment has spent (the draft, each
 * evaluation's episodes, each run's tokens) is compared with it, and each evaluation or run gets what is left.
 */
@ApplicationScoped
public class ExperimentRunner {
    private static final Logger LOG = Logger.getLogger(ExperimentRunner.class);
    static final int SEND_BATCH = 200;

    @Inject
    ExperimentStore store;
    @Inject
    EvaluationStore evaluations;
    @Inject
    EvaluationService evaluationService;
    @Inject
    BuiltinRunner builtin;
    @Inject
    IngestClient ingest;
    @Inject
    TaskSource tasks;
    @Inject
    ModelGateway models;
    @Inject
    EvaluatorConfig config;
    @Inject
    EvaluatorMetrics metrics;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /** Experiments that were running when the service stopped go on from their stored stage (after evaluations resume). */
    void resume(@Observes @Priority(5100) StartupEvent ev) {
        for (ExperimentStore.Experiment e : store.running()) {
            LOG.infof("resuming experiment %s at %s of round %d", e.id(), e.stage().wire(), e.round());
            start(e.id());
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        stopping = true;
        threads.shutdownNow();
    }

    public void start(String id) {
        if (active.add(id)) {
            threads.submit(() -> drive(id));
        }
    }

    /** Cancels an experiment: it ends as cancelled, and the stage evaluation it is waiting on is cancelled too. */
    public boolean cancel(String id) {
        ExperimentStore.Experiment e = store.get(id).orElseThrow();
        String message = "cancelled at " + e.stage().wire() + " of round " + e.round();
        Optional<ExperimentStore.Round> round = store.round(id, e.round());
        if (round.isPresent() && e.stage() == ExperimentStatus.Stage.EVOLVING && round.get().runId() != null) {
            message += "; run " + round.get().runId() + " in trace-ingest goes on (runs cannot be cancelled) and its S* is not tested";
        }
        if (!store.finish(id, ExperimentStatus.CANCELLED, message, null)) {
            return false;
        }
        metrics.experimentEnded(ExperimentStatus.CANCELLED);
        round.ifPresent(r -> {
            for (String evaluation : new String[]{r.stage1Evaluation(), r.testEvaluation()}) {
                if (evaluation != null && evaluations.evaluation(evaluation).map(EvaluationStore.Evaluation::running).orElse(false)
                        && !builtin.cancel(evaluation)) {
                    evaluations.finish(evaluation, EvaluationStatus.CANCELLED, "its experiment " + id + " was cancelled");
                }
            }
        });
        return true;
    }

    /** Raised inside a step when the experiment has ended (budget, failure, refusal): the driver stops. */
    private static final class Ended extends RuntimeException {
        Ended() {
            super(null, null, false, false);
        }
    }

    private void drive(String id) {
        try {
            while (!stopping) {
                ExperimentStore.Experiment e = store.get(id).orElseThrow(() -> new IllegalStateException("no experiment " + id));
                if (!e.running()) {
                    return;
                }
                boolean advanced;
                try {
                    advanced = step(e);
                    if (e.message() != null && e.message().startsWith(WAITING)) {
                        store.note(id, null);
                    }
                } catch (IngestClient.IngestUnavailableException unreachable) {
                    // trace-ingest is down or restarting: wait and try again (every request to it is idempotent)
                    store.note(id, WAITING + unreachable.getMessage());
                    LOG.warnf("experiment %s waits for trace-ingest: %s", id, unreachable.getMessage());
                    Thread.sleep(Math.max(config.experimentPoll().toMillis(), 1000) * 3);
                    continue;
                }
                if (!advanced) {
                    Thread.sleep(config.experimentPoll().toMillis());
                }
            }
        } catch (Ended ended) {
            // stored already
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ex) {
            if (!stopping) {
                LOG.errorf(ex, "experiment %s failed", id);
                end(id, ExperimentStatus.FAILED, String.valueOf(ex.getMessage()), null);
            }
        } finally {
            active.remove(id);
        }
    }

    static final String WAITING = "waiting for trace-ingest: ";

    /** Does the experiment's next step; false when it is waiting on something that is not done yet. */
    boolean step(ExperimentStore.Experiment e) {
        ExperimentStore.Round round = store.round(e.id(), e.round()).orElseThrow();
        return switch (e.stage()) {
            case DRAFTING -> draft(e);
            case STAGE1 -> stage1(e, round);
            case SENDING -> send(e, round);
            case EVOLVING -> evolve(e, round);
            case CHECKING -> check(e, round);
            case TESTING -> test(e, round);
            case DONE -> {
                end(e.id(), ExperimentStatus.COMPLETED, summary(e), null);
                yield true;
            }
        };
    }

    // ---- drafting ---------------------------------------------------------------------------------------------

    private boolean draft(ExperimentStore.Experiment e) {
        ExperimentRequest r = e.request();
        JsonNode d;
        if (e.draftId() == null) {
            budgetGate(e, "drafting S0");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("domain", r.s0().domain());
            body.put("model", analystModel(r));
            if (r.run() != null && r.run().engine() != null) {
                body.put("engine", r.run().engine());
            }
            // a few D_evolve tasks show the domain; D_test's never leave this service before the test
            body.put("samples", e.split().evolveTasks(pool(r)).stream().limit(5).map(Task::question).toList());
            body.put("requestId", e.id() + "-s0");
            try {
                d = ingest.requestDraft(e.skillName(), body);
            } catch (IngestClient.IngestRefusedException refused) {
                throw fail(e, "trace-ingest refused to draft S0: " + refused.detail());
            }
        } else {
            d = ingest.draft(e.skillName(), e.draftId());
        }
        store.setDraft(e.id(), d.path("id").asText(), d.toString(), d.path("tokens").path("total").asLong());
        switch (d.path("status").asText()) {
            case "done" -> {
                String s0 = d.path("skill").asText();
                SkillBundle bundle = skill(s0);
                List<LeakageCheck.Leak> leaks = LeakageCheck.scan(bundle, e.split().testTasks(pool(r)));
                if (!leaks.isEmpty()) {
                    throw refuse(e, s0, leaks);
                }
                store.setRound(e.id(), 1, "s0", s0);
                advance(e, ExperimentStatus.Stage.STAGE1, 1, null);
                return true;
            }
            case "failed" -> throw fail(e, "drafting S0 failed: " + d.path("failure").asText());
            default -> {
                return false;
            }
        }
    }

    // ---- Stage 1 ------------------------------------------------------------------------------------------------

    private boolean stage1(ExperimentStore.Experiment e, ExperimentStore.Round round) {
        ExperimentRequest r = e.request();
        String evaluationId = e.id() + "-r" + round.round() + "-evolve";
        if (round.stage1Evaluation() == null) {
            budgetGate(e, "Stage 1 of round " + round.round());
            store.setRound(e.id(), round.round(), "stage1_evaluation", evaluationId);
        }
        if (evaluations.evaluation(evaluationId).isEmpty()) {
            EvaluationRequest request = new EvaluationRequest(List.of(new EvaluationRequest.SkillRef(round.s0(), null, null)), false,
                    r.taskset(), r.tasks(), null, null, List.of(r.author()), r.evolveSeeds(), r.concurrency(), remaining(e), r.runnerOrDefault(),
                    false, null, null, e.split().evolve(), null);
            evaluationService.startStage(evaluationId, e.id(), request, Map.of(round.s0(), SkillSnapshot.of(skill(round.s0()), version(round.s0()))));
            LOG.infof("experiment %s: Stage 1 of round %d, %s on %d tasks of D_evolve (evaluation %s)", e.id(), round.round(), round.s0(),
                    e.split().evolve().size(), evaluationId);
            return true;
        }
        return afterEvaluation(e, evaluationId, "Stage 1 of round " + round.round(), () -> advance(e, ExperimentStatus.Stage.SENDING, round.round(), null));
    }

    /** Waits for a stage's evaluation; when it ended, goes on or ends the experiment as the evaluation ended. */
    private boolean afterEvaluation(ExperimentStore.Experiment e, String evaluationId, String stage, Runnable next) {
        EvaluationStore.Evaluation ev = evaluations.evaluation(evaluationId).orElseThrow();
        switch (ev.status()) {
            case RUNNING -> {
                return false;
            }
            case COMPLETED -> {
                next.run();
                return true;
            }
            case BUDGET_EXHAUSTED -> throw end(e.id(), ExperimentStatus.BUDGET_EXHAUSTED, "token budget of " + e.maxTokens() + " reached during "
                    + stage + " (" + spent(e) + " spent): " + ev.message(), null);
            case CANCELLED -> throw end(e.id(), ExperimentStatus.CANCELLED, stage + " was cancelled: " + ev.message(), null);
            default -> throw fail(e, stage + " ended " + ev.status().wire() + ": " + ev.message());
        }
    }

    // ---- sending ------------------------------------------------------------------------------------------------

    private boolean send(ExperimentStore.Experiment e, ExperimentStore.Round round) {
        String evaluationId = round.stage1Evaluation();
        String dataset = dataset(e, round.round());
        int sent = 0;
        int rejected = 0;
        int episodes = 0;
        List<String> problems = new ArrayList<>();
        List<Trajectory> batch = new ArrayList<>();
        for (int offset = 0; ; offset += 500) {
            List<EvaluationStore.Row> rows = evaluations.episodes(evaluationId, null, 500, offset, true);
            for (EvaluationStore.Row row : rows) {
                episodes++;
                // an episode that could not complete (an error, or one cut short by the budget) is no evidence
                if (row.trajectory() == null || row.pending() || Episode.Status.ERROR.name().equals(row.status())) {
                    continue;
                }
                batch.add(tagged(Json.read(row.trajectory(), Trajectory.class), e.id(), round.round()));
                if (batch.size() == SEND_BATCH) {
                    IngestClient.Sent s = ingest.sendTrajectories(dataset, batch);
                    sent += s.accepted() + s.duplicates();
                    rejected += s.rejected();
                    problems.addAll(s.problems());
                    batch.clear();
                }
            }
            if (rows.size() < 500) {
                break;
            }
        }
        if (!batch.isEmpty()) {
            IngestClient.Sent s = ingest.sendTrajectories(dataset, batch);
            sent += s.accepted() + s.duplicates();
            rejected += s.rejected();
            problems.addAll(s.problems());
        }
        store.setRound(e.id(), round.round(), "trajectories_sent", sent);
        store.setRound(e.id(), round.round(), "trajectories_rejected", rejected);
        if (rejected > 0) {
            LOG.warnf("experiment %s: trace-ingest refused %d of Stage 1's trajectories: %s", e.id(), rejected, problems.stream().limit(3).toList());
        }
        if (sent == 0) {
            throw fail(e, "Stage 1 of round " + round.round() + " left no trajectory to evolve from (" + episodes + " episodes"
                    + (rejected > 0 ? ", " + rejected + " trajectories refused by trace-ingest: " + problems.stream().limit(3).toList() : "") + ")");
        }
        LOG.infof("experiment %s: %d trajectories of round %d in trace-ingest as dataset %s", e.id(), sent, round.round(), dataset);
        advance(e, ExperimentStatus.Stage.EVOLVING, round.round(), null);
        return true;
    }

    static String dataset(ExperimentStore.Experiment e, int round) {
        return e.id() + "-r" + round;
    }

    /** The trajectory as trace-ingest stores it for the run: tagged with the experiment, the round and the stage. */
    static Trajectory tagged(Trajectory t, String experimentId, int round) {
        Map<String, Object> meta = new LinkedHashMap<>(t.metadata());
        meta.put("experimentId", experimentId);
        meta.put("round", round);
        meta.put("stage", "stage1");
        return new Trajectory(t.id(), t.taskId(), t.query(), t.steps(), t.finalAnswer(), t.outcome(), t.expectedAnswer(), t.model(), t.skillRef(),
                t.usage(), meta);
    }

    // ---- evolving -----------------------------------------------------------------------------------------------

    private boolean evolve(ExperimentStore.Experiment e, ExperimentStore.Round round) {
        ExperimentRequest r = e.request();
        JsonNode run;
        if (round.runId() == null) {
            budgetGate(e, "the evolution run of round " + round.round());
            Map<String, Object> req = runRequest(e, r, round);
            try {
                run = ingest.startRun(req);
            } catch (IngestClient.IngestRefusedException refused) {
                throw fail(e, "trace-ingest refused the evolution run of round " + round.round() + ": " + refused.detail());
            }
            store.setRound(e.id(), round.round(), "run_id", run.path("id").asText());
            LOG.infof("experiment %s: run %s evolves %s from %d trajectories", e.id(), run.path("id").asText(), round.s0(),
                    run.path("counts").path("jobsPublished").asInt());
        } else {
            run = ingest.run(round.runId());
        }
        store.setRound(e.id(), round.round(), "run", run.toString());
        store.setRound(e.id(), round.round(), "run_tokens", run.path("tokens").path("total").asLong());
        switch (run.path("status").asText()) {
            case "done" -> {
                String sStar = run.path("evolvedSkill").asText();
                store.setRound(e.id(), round.round(), "s_star", sStar);
                LOG.infof("experiment %s: round %d evolved %s into %s", e.id(), round.round(), round.s0(), sStar);
                advance(e, ExperimentStatus.Stage.CHECKING, round.round(), null);
                return true;
            }
            case "failed" -> throw fail(e, "evolution run " + run.path("id").asText() + " failed: " + run.path("message").asText());
            default -> {
                return round.runId() == null;
            }
        }
    }

    private Map<String, Object> runRequest(ExperimentStore.Experiment e, ExperimentRequest r, ExperimentStore.Round round) {
        ExperimentRequest.Run o = r.run() == null ? new ExperimentRequest.Run(null, null, null, null, null, null, null, null) : r.run();
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("skill", round.s0());
        req.put("mode", e.mode());
        Map<String, Object> selection = new LinkedHashMap<>();
        selection.put("dataset", dataset(e, round.round()));
        selection.put("experiment", e.id());
        selection.put("skillRef", round.s0());
        selection.put("outcome", "any");
        selection.put("limit", Math.max(1, Math.min(100_000, round.trajectoriesSent() == null ? 100_000 : round.trajectoriesSent())));
        req.put("trajectories", selection);
        putIf(req, "analysts", o.analysts());
        putIf(req, "engine", o.engine());
        putIf(req, "mergeBranching", o.mergeBranching());
        putIf(req, "minSupport", o.minSupport());
        putIf(req, "unverified", o.unverified());
        putIf(req, "mergeWindow", o.mergeWindow());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("analyst", analystModel(r));
        m.put("merger", o.models() != null && o.models().merger() != null ? o.models().merger() : r.author());
        req.put("models", m);
        EvaluationRequest.Budget left = remaining(e);
        Long runCap = o.budget() == null ? null : o.budget().maxTokens();
        Long cap = left == null ? runCap : runCap == null ? left.maxTokens() : Long.valueOf(Math.min(runCap, left.maxTokens()));
        if (cap != null) {
            req.put("budget", Map.of("maxTokens", cap));
        }
        req.put("requestId", e.id() + "-r" + round.round());
        return req;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static ModelSettings analystModel(ExperimentRequest r) {
        return r.run() != null && r.run().models() != null && r.run().models().analyst() != null ? r.run().models().analyst() : r.author();
    }

    // ---- checking -----------------------------------------------------------------------------------------------

    private boolean check(ExperimentStore.Experiment e, ExperimentStore.Round round) {
        List<LeakageCheck.Leak> leaks = LeakageCheck.scan(skill(round.sStar()), e.split().testTasks(pool(e.request())));
        store.setRound(e.id(), round.round(), "leaks", Json.write(leaks));
        if (!leaks.isEmpty()) {
            throw refuse(e, round.sStar(), leaks);
        }
        advance(e, ExperimentStatus.Stage.TESTING, round.round(), null);
        return true;
    }

    // ---- testing ------------------------------------------------------------------------------------------------

    private boolean test(ExperimentStore.Experiment e, ExperimentStore.Round round) {
        ExperimentRequest r = e.request();
        boolean first = round.round() == 1;
        boolean unchanged = round.sStar().equals(round.s0());
        if (!first && unchanged) {
            // the run changed nothing: this S* is the S0 measured in the round before
            return next(e, round);
        }
        String evaluationId = e.id() + "-r" + round.round() + "-test";
        if (round.testEvaluation() == null) {
            budgetGate(e, "the test of round " + round.round());
            store.setRound(e.id(), round.round(), "test_evaluation", evaluationId);
        }
        if (evaluations.evaluation(evaluationId).isEmpty()) {
            Map<String, SkillSnapshot> skills = new LinkedHashMap<>();
            if (first) {
                skills.put(round.s0(), SkillSnapshot.of(skill(round.s0()), version(round.s0())));
            }
            skills.put(round.sStar(), SkillSnapshot.of(skill(round.sStar()), version(round.sStar())));
            String author = models.resolve(r.author()).model();
            EvaluationRequest request = new EvaluationRequest(skills.keySet().stream().map(s -> new EvaluationRequest.SkillRef(s, null, null)).toList(),
                    first, r.taskset(), r.tasks(), null, null, r.users(), r.seeds(), r.concurrency(), remaining(e), r.runnerOrDefault(), false,
                    Map.of(round.sStar(), author), null, e.split().test(), first && !unchanged ? List.of(List.of(round.sStar(), round.s0())) : null);
            evaluationService.startStage(evaluationId, e.id(), request, skills);
            LOG.infof("experiment %s: testing %s on %d held-out tasks with %d user model(s) (evaluation %s)", e.id(), skills.keySet(),
                    e.split().test().size(), r.users().size(), evaluationId);
            return true;
        }
        return afterEvaluation(e, evaluationId, "the test of round " + round.round(), () -> next(e, round));
    }

    private boolean next(ExperimentStore.Experiment e, ExperimentStore.Round round) {
        if (round.round() < e.rounds()) {
            advance(e, ExperimentStatus.Stage.STAGE1, round.round() + 1, round.sStar());
        } else {
            advance(e, ExperimentStatus.Stage.DONE, round.round(), null);
        }
        return true;
    }

    // ---- budget, endings ----------------------------------------------------------------------------------------

    /** Tokens spent so far: the draft, every stage evaluation's episodes, every run. */
    long spent(ExperimentStore.Experiment e) {
        long total = e.draftTokens();
        for (ExperimentStore.Round r : store.rounds(e.id())) {
            total += r.runTokens();
            for (String ev : new String[]{r.stage1Evaluation(), r.testEvaluation()}) {
                if (ev != null && evaluations.evaluation(ev).isPresent()) {
                    total += evaluations.progress(ev).tokens();
                }
            }
        }
        return total;
    }

    /** What the budget has left (null: no budget). */
    private EvaluationRequest.Budget remaining(ExperimentStore.Experiment e) {
        return e.maxTokens() == null ? null : new EvaluationRequest.Budget(Math.max(1, e.maxTokens() - spent(e)));
    }

    /** No stage starts once the budget is spent: the experiment ends as budget_exhausted, what ran stays readable. */
    private void budgetGate(ExperimentStore.Experiment e, String stage) {
        if (e.maxTokens() == null) {
            return;
        }
        long spent = spent(e);
        if (spent >= e.maxTokens()) {
            throw end(e.id(), ExperimentStatus.BUDGET_EXHAUSTED, "token budget of " + e.maxTokens() + " reached (" + spent
                    + " spent): stopped before " + stage, null);
        }
    }

    private void advance(ExperimentStore.Experiment e, ExperimentStatus.Stage stage, int round, String newRoundS0) {
        store.advance(e.id(), stage, round, newRoundS0);
        metrics.experimentStage(stage);
    }

    private Ended refuse(ExperimentStore.Experiment e, String skill, List<LeakageCheck.Leak> leaks) {
        return end(e.id(), ExperimentStatus.REFUSED, ExperimentService.leakProblem(skill, leaks).detail(),
                Json.write(ExperimentService.leakProblem(skill, leaks)));
    }

    private Ended fail(ExperimentStore.Experiment e, String message) {
        return end(e.id(), ExperimentStatus.FAILED, message, null);
    }

    private Ended end(String id, ExperimentStatus status, String message, String problem) {
        if (store.finish(id, status, message, problem)) {
            metrics.experimentEnded(status);
            LOG.infof("experiment %s %s: %s", id, status, message);
        }
        return new Ended();
    }

    private String summary(ExperimentStore.Experiment e) {
        List<ExperimentStore.Round> rounds = store.rounds(e.id());
        ExperimentStore.Round last = rounds.get(rounds.size() - 1);
        return rounds.size() + " round(s): " + rounds.get(0).s0() + " → " + last.sStar() + "; " + spent(e) + " tokens";
    }

    // ---- skills and tasks ---------------------------------------------------------------------------------------

    List<Task> pool(ExperimentRequest r) {
        return tasks.select(r.pool());
    }

    private SkillBundle skill(String ref) {
        int at = ref.lastIndexOf('@');
        return ingest.skill(ref.substring(0, at), version(ref))
                .orElseThrow(() -> new IllegalStateException("the registry has no skill " + ref));
    }

    private static int version(String ref) {
        return Integer.parseInt(ref.substring(ref.lastIndexOf('@') + 1));
    }

    /** For the report: the split of an experiment. */
    static TaskSplit split(ExperimentStore.Experiment e) {
        return e.split();
    }
}
