package dev.trace2skill.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmarks' own arithmetic: nearest-rank percentiles and the model-bound ideal time. */
class StatsTest {
    @Test
    void nearestRankPercentiles() {
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1; // 1..100
        }
        assertThat(Stats.percentile(hundred, 50)).isEqualTo(50);
        assertThat(Stats.percentile(hundred, 99)).isEqualTo(99);
        assertThat(Stats.percentile(hundred, 99.5)).isEqualTo(100);
        assertThat(Stats.percentile(hundred, 100)).isEqualTo(100);
        assertThat(Stats.percentile(hundred, 0)).isEqualTo(1);

        long[] five = Stats.sorted(List.of(40L, 10L, 30L, 20L, 50L));
        assertThat(five).containsExactly(10, 20, 30, 40, 50);
        assertThat(Stats.percentile(five, 50)).isEqualTo(30); // rank ceil(2.5) = 3
        assertThat(Stats.percentile(five, 20)).isEqualTo(10); // rank 1
        assertThat(Stats.percentile(five, 21)).isEqualTo(20); // rank ceil(1.05) = 2
        assertThat(Stats.percentile(five, 99)).isEqualTo(50);
        assertThat(Stats.percentile(new long[]{7}, 99)).isEqualTo(7);
        assertThatThrownBy(() -> Stats.percentile(new long[0], 50)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(five, 101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idealTimeIsWholeWavesOfTheLatencyAtTheBindingConcurrency() {
        // the benchmark's defaults: N = 512, 1 call per analysis, K = 16, C = 6, L = 400 ms
        assertThat(Stats.bound(16, 1, 6)).isEqualTo(6);
        assertThat(Stats.idealMillis(512, 1, 16, 1, 6, 400)).isEqualTo(86 * 400); // ceil(512 / 6) = 86
        assertThat(Stats.bound(16, 2, 6)).isEqualTo(12);
        assertThat(Stats.idealMillis(512, 1, 16, 2, 6, 400)).isEqualTo(43 * 400); // ceil(512 / 12) = 43
        assertThat(Stats.bound(16, 4, 6)).isEqualTo(16);
        assertThat(Stats.idealMillis(512, 1, 16, 4, 6, 400)).isEqualTo(32 * 400); // K binds: 512 / 16
        // several calls per analysis multiply the calls, exact division has no extra wave
        assertThat(Stats.idealMillis(512, 3, 16, 4, 6, 400)).isEqualTo(96 * 400);
        assertThat(Stats.idealMillis(10, 1, 4, 1, 8, 100)).isEqualTo(300); // ceil(10 / 4) = 3
        assertThat(Stats.idealMillis(0, 1, 4, 1, 8, 100)).isZero();
        assertThat(Stats.idealMillis(10, 0, 4, 1, 8, 100)).isZero(); // no model calls (the offline analyser): no model-bound time
        assertThatThrownBy(() -> Stats.idealMillis(10, 1, 0, 1, 1, 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rates() {
        assertThat(Stats.perSecond(500, 2_000_000_000L)).isEqualTo(250.0);
        assertThat(Stats.millis(1_500_000)).isEqualTo(1.5);
    }
}
