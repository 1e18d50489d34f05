package dev.trace2skill.evaluator;

import dev.trace2skill.core.eval.Condition;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.eval.SectionAblation;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.model.ModelGateway;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs an evaluation's episodes with the built-in agent, {@code concurrency} at a time on virtual threads, in plan
 * order. Each finished episode is stored at once (with its labelled trajectory), so progress and partial reports are
 * always readable, and an evaluation interrupted by a restart resumes with the episodes still pending.
 *
 * <p>Token budget: no episode starts once the evaluation has spent its budget, and each episode's token cap is the
 * smaller of the per-task cap and what the budget has left, so the overshoot is bounded by the episodes in flight. An
 * episode cut short by the evaluation's budget (not by its own per-task cap) is an ERROR, not a wrong answer; the
 * evaluation ends as {@code budget_exhausted}, its finished episodes still reported.
 */
@ApplicationScoped
public class BuiltinRunner {
    private static final Logger LOG = Logger.getLogger(BuiltinRunner.class);

    @Inject
    EvaluationStore store;
    @Inject
    SkillAgent agent;
    @Inject
    TaskSource tasks;
    @Inject
    ModelGateway models;
    @Inject
    EvaluatorConfig config;
    @Inject
    EvaluatorMetrics metrics;
    @Inject
    IngestClient ingest;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, AtomicBoolean> cancels = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** Evaluations that were running when the service stopped go on where they were. */
    void resume(@Observes @Priority(5000) StartupEvent ev) {
        for (EvaluationStore.Evaluation e : store.running(EvaluationService.BUILTIN)) {
            LOG.infof("resuming evaluation %s", e.id());
            start(e.id());
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        stopping = true;
        threads.shutdownNow();
    }

    public void start(String id) {
        AtomicBoolean cancel = new AtomicBoolean();
        if (cancels.putIfAbsent(id, cancel) == null) {
            threads.submit(() -> run(id, cancel));
        }
    }

    /** Asks a running evaluation to stop starting episodes; false when this replica is not running it. */
    public boolean cancel(String id) {
        AtomicBoolean c = cancels.get(id);
        if (c == null) {
            return false;
        }
        c.set(true);
        return true;
    }

    private void run(String id, AtomicBoolean cancel) {
        metrics.runnerStarted();
        try {
            EvaluationStore.Evaluation ev = store.evaluation(id).orElseThrow(() -> new IllegalStateException("no evaluation " + id));
            EvaluationRequest request = Json.read(ev.request(), EvaluationRequest.class);
            Map<String, Task> byId = tasks.select(request).stream().collect(Collectors.toMap(Task::id, Function.identity(), (a, b) -> a));
            Map<String, SkillSnapshot> skills = store.skills(id);
            Map<String, SkillBundle> variants = new HashMap<>();
            Map<String, ModelGateway.Target> targets = new LinkedHashMap<>();
            for (ModelSettings m : request.models()) {
                ModelGateway.Target t = models.resolve(m);
                targets.put(t.model(), t);
            }
            Path dataDir = tasks.dataDir().orElse(Path.of("."));
            Long budget = ev.maxTokens();
            AtomicLong spent = new AtomicLong(store.progress(id).tokens());
            int concurrency = request.concurrency();
            Semaphore slots = new Semaphore(concurrency);
            List<Future<?>> running = new ArrayList<>();
            boolean budgetStop = false;
            for (EvaluationStore.Pending p : store.pending(id)) {
                if (cancel.get() || stopping) {
                    break;
                }
                slots.acquire();
                if (budget != null && spent.get() >= budget) {
                    slots.release();
                    budgetStop = true;
                    break;
                }
                long cap = budget == null ? config.maxTokensPerTask() : Math.min(config.maxTokensPerTask(), budget - spent.get());
                boolean capByBudget = cap < config.maxTokensPerTask();
                SkillBundle skill = p.condition().skill() == null ? null
                        : variants.computeIfAbsent(p.condition().key(), k -> variant(skills.get(p.condition().skill()), p.condition()));
                Task task = byId.get(p.taskId());
                ModelGateway.Target target = targets.get(p.condition().model());
                running.add(threads.submit(() -> {
                    try {
                        long used = episode(id, p, task, skill, target, dataDir, cap, capByBudget, request);
                        spent.addAndGet(used);
                    } finally {
                        slots.release();
                    }
                }));
                running.removeIf(Future::isDone);
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    LOG.errorf(e.getCause(), "an episode of %s failed unexpectedly", id);
                }
            }
            if (stopping) {
                return; // resumed at the next start
            }
            EvaluationStore.Progress progress = store.progress(id);
            EvaluationStatus status;
            String message;
            if (cancel.get()) {
                status = EvaluationStatus.CANCELLED;
                message = "cancelled after " + progress.done() + " of " + ev.total() + " episodes";
            } else if (budgetStop || (budget != null && progress.tokens() >= budget && progress.pending() > 0)) {
                status = EvaluationStatus.BUDGET_EXHAUSTED;
                message = "token budget of " + budget + " reached (" + progress.tokens() + " spent): " + progress.done() + " of "
                        + ev.total() + " episodes ran, " + progress.pending() + " not started";
            } else {
                status = EvaluationStatus.COMPLETED;
                message = progress.done() + " episodes, " + progress.errors() + " could not complete";
            }
            if (store.finish(id, status, message)) {
                metrics.evaluationEnded(status);
                LOG.infof("evaluation %s %s: %s", id, status, message);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.errorf(e, "evaluation %s failed", id);
                if (store.finish(id, EvaluationStatus.FAILED, String.valueOf(e.getMessage()))) {
                    metrics.evaluationEnded(EvaluationStatus.FAILED);
                }
            }
        } finally {
            cancels.remove(id);
            metrics.runnerStopped();
        }
    }

    /** Runs and stores one episode; returns the tokens it spent. */
    private long episode(String evaluationId, EvaluationStore.Pending p, Task task, SkillBundle skill, ModelGateway.Target target,
                         Path dataDir, long cap, boolean capByBudget, EvaluationRequest request) {
        Instant start = Instant.now();
        metrics.episodeStarted();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("evaluationId", evaluationId);
        // the task set and the trajectory's task id let an error analyst find the task and replay it in its environment
        meta.put("taskSet", request.taskset());
        meta.put("condition", p.condition().label());
        meta.put("seed", p.seed());
        if (p.condition().removedSection() != null) {
            meta.put("removedSection", p.condition().removedSection());
        }
        SkillAgent.Result r = agent.run(p.episodeId(), task, skill, p.condition().skill(), target, p.seed(), dataDir, cap, meta);
        Episode.Status status = r.status();
        String error = r.error();
        if (r.outOfTokens() && capByBudget && status != Episode.Status.CORRECT) {
            status = Episode.Status.ERROR;
            error = "stopped by the evaluation's token budget after " + r.usage().total() + " tokens";
        }
        Duration took = Duration.between(start, Instant.now());
        if (stopping && status == Episode.Status.ERROR) {
            metrics.episodeFinished("interrupted", target.model(), took, r.usage().promptTokens(), r.usage().completionTokens());
            return r.usage().total(); // left pending: the episode runs again when the evaluation resumes
        }
        store.complete(p.episodeId(), status, r.answer(), r.usage().promptTokens(), r.usage().completionTokens(), error,
                r.trajectory() == null ? null : Json.write(r.trajectory()), EvaluationService.BUILTIN, took.toMillis());
        metrics.episodeFinished(status.name(), target.model(), took, r.usage().promptTokens(), r.usage().completionTokens());
        if (request.sendTrajectories() != null && r.trajectory() != null && request.sendTrajectories().includes(p.condition().skill())) {
            try {
                ingest.sendTrajectory(request.sendTrajectories().dataset(), r.trajectory());
                metrics.trajectorySent(true);
            } catch (IngestClient.IngestUnavailableException e) {
                metrics.trajectorySent(false);
                LOG.warnf("episode %s stays here but was not sent to trace-ingest: %s", p.episodeId(), e.getMessage());
            }
        }
        return r.usage().total();
    }

    /** The skill an episode runs with: the frozen version, or its variant with one section removed. */
    static SkillBundle variant(SkillSnapshot snapshot, Condition c) {
        SkillBundle full = snapshot.bundle();
        if (c.removedSection() == null) {
            return full;
        }
        SkillBundle v = SectionAblation.variants(full).get(c.removedSection());
        if (v == null) {
            throw new IllegalStateException("skill " + c.skill() + " has no section '" + c.removedSection() + "'");
        }
        return v;
    }
}
