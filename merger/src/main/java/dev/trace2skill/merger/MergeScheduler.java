package dev.trace2skill.merger;

import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts merges: when a pool becomes complete, when a run's straggler deadline passes, and — every few seconds and at
 * start-up — for runs whose merge was interrupted (they resume at the first unfinished node).
 */
@ApplicationScoped
public class MergeScheduler {
    private static final Logger LOG = Logger.getLogger(MergeScheduler.class);

    @Inject
    MergerStore store;
    @Inject
    MergeService merges;

    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @Scheduled(every = "${t2s.merger.check-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        check();
        // failures trace-ingest has not been told about yet (the broker was away when the run failed)
        for (var f : store.unannouncedFailures(20).entrySet()) {
            if (!merges.announceFailure(f.getKey(), f.getValue())) {
                break;
            }
        }
    }

    public void check() {
        for (String runId : store.runsToMerge()) {
            if (running.add(runId)) {
                executor.submit(() -> {
                    try {
                        merges.merge(runId);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "run %s: merge attempt failed; it will be retried", runId);
                    } finally {
                        running.remove(runId);
                    }
                });
            }
        }
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
