package dev.trace2skill.e2e;

import dev.trace2skill.bench.Soak;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak program (issue 17) in its short version: {@code -Dt2s.soak.minutes} of mixed valid and hostile traffic
 * (default 2) against trace-ingest, an analyst-worker and the merger as real processes with capped heaps, the worker
 * and the merger each killed twice and Kafka stopped once. It ends with every accepted trajectory stored, every run
 * done or failed with a reason, no 5xx other than 503 with Retry-After, no process dead but by the soak's hand,
 * readiness within a second during the outage, and resident memory within the bound; the report is printed and written
 * to {@code target/soak-logs/soak-report.txt}. The 30-minute version is run by hand ({@link Soak#main}).
 * <p>
 * About 4 minutes on two quiet cores (120 s of traffic, then the runs end); 14 minutes when other builds load them.
 */
class SoakTest {

    @Test
    void mixedValidAndHostileTrafficWithKillsEndsCleanInBoundedMemory() throws Exception {
        Duration duration = Duration.ofMinutes(Long.getLong("t2s.soak.minutes", 2));
        Soak.Report r = Soak.run(Soak.Config.of(duration, Path.of("target/soak-logs")));
        System.out.println(r.text());
        assertThat(r.problems()).as(r.text()).isEmpty();
        assertThat(r.kills()).isEqualTo(4);
        assertThat(r.trajectoriesAccepted()).isPositive();
        assertThat(r.trajectoriesStored()).isEqualTo(r.trajectoriesAccepted());
        assertThat(r.runsNotEnded()).isEmpty();
        assertThat(r.runsByStatus().values().stream().mapToInt(Integer::intValue).sum()).isPositive();
        assertThat(r.peakRssMiB()).containsKeys("trace-ingest", "analyst-worker", "merger");
        assertThat(r.readinessMillis()).hasSize(3).allMatch(ms -> ms < 1_000);
    }
}
