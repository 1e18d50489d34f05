package dev.trace2skill.ingest;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;

/**
 * No run stays stuck in trace-ingest. Every {@code t2s.runs.watchdog-interval} (10 s), on every replica:
 * <ul>
 *   <li>a run still {@code publishing} whose last attempt failed at least {@code t2s.runs.publish-retry-delay} (30 s)
 *       ago, or whose replica took it and has not finished within {@code t2s.runs.publish-claim-timeout} (5 min: it
 *       stopped mid-publish), is published again — the attempt is counted, and after
 *       {@code t2s.runs.publish-attempts} (5) the run fails with the last reason;</li>
 *   <li>a Creation-mode run whose draft has not arrived within {@code t2s.runs.draft-timeout} (30 min) fails;</li>
 *   <li>a run failed here that the merger has not yet been told about is announced again ({@link RunFailures}).</li>
 * </ul>
 * Runs past publishing are the merger's: its merge window closes every pool, merged or failed with the reason, and
 * trace-ingest follows its events.
 */
@ApplicationScoped
public class RunWatchdog {
    private static final Logger LOG = Logger.getLogger(RunWatchdog.class);

    @Inject
    RunStore runs;
    @Inject
    RunLauncher launcher;
    @Inject
    RunFailures failures;

    @ConfigProperty(name = "t2s.runs.publish-retry-delay", defaultValue = "30s")
    Duration retryDelay;
    @ConfigProperty(name = "t2s.runs.publish-claim-timeout", defaultValue = "5m")
    Duration claimTimeout;
    @ConfigProperty(name = "t2s.runs.draft-timeout", defaultValue = "30m")
    Duration draftTimeout;

    @Scheduled(every = "${t2s.runs.watchdog-interval:10s}", delayed = "${t2s.runs.watchdog-interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warnf("run watchdog: %s", e.getMessage());
        }
    }

    void check() {
        for (RunStore.Claim c : runs.claimPublishing(retryDelay, claimTimeout, 5)) {
            LOG.infof("run %s: publishing again (attempt %d)", c.id(), c.publishAttempts());
            launcher.attempt(c.id(), c.publishAttempts());
        }
        for (String id : runs.overdueDrafts(draftTimeout)) {
            failures.fail(id, "no Creation-mode draft arrived within " + draftTimeout.toMinutes() + " min (t2s.runs.draft-timeout)", false);
        }
        for (Map.Entry<String, String> abort : runs.unannouncedAborts(20).entrySet()) {
            if (!failures.announce(abort.getKey(), abort.getValue())) {
                return;
            }
        }
    }
}
