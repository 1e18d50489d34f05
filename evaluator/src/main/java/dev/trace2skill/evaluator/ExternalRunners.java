package dev.trace2skill.evaluator;

import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.EvaluationPlan.PlannedEpisode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.EvalResult;
import dev.trace2skill.core.pipeline.EvalTask;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.core.trajectory.TrajectoryRules;
import dev.trace2skill.service.Outgoing;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluations run by external runners (domains the evaluator cannot execute: spreadsheets, web, code). Each episode
 * goes out on {@code eval-tasks} as an {@link EvalTask}; results come back as {@link EvalResult}s on
 * {@code eval-results} or {@code POST /v1/evaluations/{id}/results}. The first result for an episode counts; later ones
 * are duplicates. The evaluator scores the answer with the task's checker whenever it knows the expected answer (the
 * runner never sees it); only for tasks without one does it take the runner's verdict. An evaluation completes when
 * no episode is pending, ends as {@code budget_exhausted} when the reported tokens reach its budget, and as
 * {@code timed_out} at its deadline. Unreadable or unknown results on Kafka go to {@code evaluator-dlq} with the reason.
 */
@ApplicationScoped
public class ExternalRunners {
    private static final Logger LOG = Logger.getLogger(ExternalRunners.class);

    /** An evaluation's episodes, all at once (up to EvaluationService.MAX_EPISODES records wait for the sender). */
    @Inject
    @Channel(Topics.EVAL_TASKS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    MutinyEmitter<String> evalTasks;
    @Inject
    EvaluationStore store;
    @Inject
    EvaluatorMetrics metrics;

    /** What became of one result. */
    public enum Intake { ACCEPTED, DUPLICATE }

    /** A result that cannot be recorded: HTTP-like status, the field at fault, and why. */
    public static final class Rejected extends RuntimeException {
        final int status;
        final String field;

        Rejected(int status, String field, String message) {
            super(message);
            this.status = status;
            this.field = field;
        }
    }

    public void publish(String evaluationId, List<PlannedEpisode> plan, Map<String, ModelSettings> models) {
        Map<String, SkillSnapshot> snapshots = new HashMap<>();
        List<Message<String>> records = new ArrayList<>(plan.size());
        for (PlannedEpisode p : plan) {
            SkillSnapshot skill = null;
            if (p.skill() != null) {
                skill = snapshots.computeIfAbsent(p.condition().key(), k -> SkillSnapshot.of(p.skill(), version(p.condition().skill())));
            }
            EvalTask task = new EvalTask(evaluationId, p.episodeId(), skill, p.condition().skill(), p.condition().removedSection(),
                    models.get(p.condition().model()), p.seed(),
                    new EvalTask.TaskSpec(p.task().id(), p.task().question(), p.task().checker(), p.task().context().isEmpty() ? null : p.task().context()),
                    Topics.EVAL_RESULTS, "/v1/evaluations/" + evaluationId + "/results");
            records.add(Outgoing.keyed(evaluationId, Json.write(task)));
        }
        Outgoing.sendAllAndAwait(evalTasks, records);
        LOG.infof("evaluation %s: %d episodes published on %s", evaluationId, records.size(), Topics.EVAL_TASKS);
    }

    private static int version(String ref) {
        String v = ref.substring(ref.lastIndexOf('@') + 1);
        return v.matches("[0-9]+") ? Integer.parseInt(v) : 0;
    }

    /**
     * Records one result. {@code evaluationId} is the evaluation the result must belong to (from the URL), or null to
     * take it from the result (Kafka).
     */
    public Intake accept(String evaluationId, EvalResult r, String source) {
        if (r == null) {
            throw new Rejected(422, "(record)", "a result must be an object {episodeId, answer | error, ...}");
        }
        String evalId = evaluationId != null ? evaluationId : r.evaluationId();
        if (evalId == null) {
            throw new Rejected(422, "evaluationId", "is required");
        }
        if (evaluationId != null && r.evaluationId() != null && !r.evaluationId().equals(evaluationId)) {
            throw new Rejected(422, "evaluationId", "the result is for " + r.evaluationId() + ", not " + evaluationId);
        }
        if (r.episodeId() == null || r.episodeId().isBlank()) {
            throw new Rejected(422, "episodeId", "is required: the episodeId of the eval-tasks message");
        }
        EvaluationStore.Evaluation ev = store.evaluation(evalId).orElseThrow(() -> new Rejected(404, "evaluationId", "no evaluation " + evalId));
        EvaluationStore.Row row = store.episode(r.episodeId()).filter(e -> e.evaluationId().equals(evalId))
                .orElseThrow(() -> new Rejected(422, "episodeId", "evaluation " + evalId + " has no episode " + r.episodeId()));
        if (!row.pending()) {
            metrics.externalResult(source, "duplicate");
            return Intake.DUPLICATE;
        }
        if (!ev.running()) {
            throw new Rejected(409, "evaluationId", "evaluation " + evalId + " is " + ev.status() + " and takes no more results");
        }
        Episode.Status status;
        String error = blank(r.error());
        if (error != null) {
            status = Episode.Status.ERROR;
        } else if (row.expected() != null) {
            if (r.answer() == null) {
                throw new Rejected(422, "answer", "is required (or error): the evaluator scores the answer against the expected one");
            }
            status = AnswerCheckers.byName(row.checker()).check(r.answer(), row.expected()).correct() ? Episode.Status.CORRECT : Episode.Status.WRONG;
        } else {
            if (r.correct() == null) {
                throw new Rejected(422, "correct", "is required for a task without an expected answer (or error)");
            }
            status = r.correct() ? Episode.Status.CORRECT : Episode.Status.WRONG;
        }
        TokenUsage usage = r.usage() != null ? r.usage() : r.trajectory() != null && r.trajectory().usage() != null ? r.trajectory().usage() : TokenUsage.ZERO;
        if (usage.promptTokens() < 0 || usage.completionTokens() < 0) {
            throw new Rejected(422, "usage", "token counts cannot be negative");
        }
        String trajectory = null;
        if (r.trajectory() != null) {
            Trajectory t = labelled(r.trajectory(), row, status, r.answer(), usage);
            List<FieldError> errors = TrajectoryRules.check(t);
            if (!errors.isEmpty()) {
                throw new Rejected(422, "trajectory." + errors.get(0).field(), errors.get(0).message());
            }
            trajectory = Json.write(t);
        }
        long latency = java.time.Duration.between(ev.createdAt(), Instant.now()).toMillis(); // publish to result
        if (!store.complete(r.episodeId(), status, r.answer(), usage.promptTokens(), usage.completionTokens(), error, trajectory, source, latency)) {
            metrics.externalResult(source, "duplicate");
            return Intake.DUPLICATE;
        }
        metrics.externalResult(source, status.name().toLowerCase(java.util.Locale.ROOT));
        metrics.tokens(row.condition().model(), usage.promptTokens(), usage.completionTokens());
        EvaluationStore.Progress progress = store.progress(evalId);
        if (progress.pending() == 0) {
            end(evalId, EvaluationStatus.COMPLETED, progress.done() + " episodes from external runners, " + progress.errors() + " could not complete");
        } else if (ev.maxTokens() != null && progress.tokens() >= ev.maxTokens()) {
            end(evalId, EvaluationStatus.BUDGET_EXHAUSTED, "token budget of " + ev.maxTokens() + " reached (" + progress.tokens() + " reported): "
                    + progress.done() + " of " + ev.total() + " episodes returned, " + progress.pending() + " not counted");
        }
        return Intake.ACCEPTED;
    }

    /** The runner's trajectory as this episode's labelled trajectory: its id, the evaluator's verdict, the ground truth. */
    static Trajectory labelled(Trajectory t, EvaluationStore.Row row, Episode.Status status, String answer, TokenUsage usage) {
        Map<String, Object> meta = new LinkedHashMap<>(t.metadata());
        meta.put("evaluationId", row.evaluationId());
        meta.put("condition", row.condition().label());
        meta.put("seed", row.seed());
        meta.put("runner", "external");
        boolean correct = status == Episode.Status.CORRECT;
        return new Trajectory(row.episodeId(), row.taskId(), t.query(), t.steps(), answer != null ? answer : t.finalAnswer(),
                status == Episode.Status.ERROR ? new Outcome(false, null) : new Outcome(correct, correct ? 1.0 : 0.0),
                row.expected(), t.model() != null ? t.model() : row.condition().model(), row.condition().skill(), usage, meta);
    }

    @Incoming("eval-results")
    @Blocking
    public void consume(String json) {
        EvalResult r;
        try {
            r = Json.read(json, EvalResult.class);
        } catch (IllegalArgumentException e) {
            metrics.externalResult("kafka", "rejected");
            throw new IllegalArgumentException("unreadable eval result: " + e.getMessage(), e);
        }
        try {
            accept(null, r, "kafka");
        } catch (Rejected e) {
            metrics.externalResult("kafka", "rejected");
            throw new IllegalArgumentException("eval result refused (" + e.field + "): " + e.getMessage(), e);
        }
    }

    private volatile boolean started;

    /** Deadlines are checked only once the schema is migrated (Flyway runs on start-up). */
    void started(@jakarta.enterprise.event.Observes @jakarta.annotation.Priority(5000) io.quarkus.runtime.StartupEvent ev) {
        started = true;
    }

    @Scheduled(every = "${t2s.evaluator.check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deadlines() {
        if (!started) {
            return;
        }
        Instant now = Instant.now();
        for (EvaluationStore.Evaluation ev : store.running(EvaluationService.EXTERNAL)) {
            if (ev.deadline() != null && now.isAfter(ev.deadline())) {
                EvaluationStore.Progress p = store.progress(ev.id());
                end(ev.id(), EvaluationStatus.TIMED_OUT, "deadline " + ev.deadline() + " passed: " + p.done() + " of " + ev.total()
                        + " episodes returned, " + p.pending() + " never did");
            }
        }
    }

    private void end(String id, EvaluationStatus status, String message) {
        if (store.finish(id, status, message)) {
            metrics.evaluationEnded(status);
            LOG.infof("evaluation %s %s: %s", id, status, message);
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
