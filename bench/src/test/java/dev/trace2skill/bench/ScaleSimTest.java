package dev.trace2skill.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScaleSimTest {
    /** Costs that vanish beside L, so the simulation must land on the model-bound ideal. */
    static ScaleSim.Params params(long n, int slots, int workers, int inFlight, int mergeConcurrency, double errorShare) {
        return new ScaleSim.Params(n, errorShare, 1, 3, 2.0, 1.0, slots, 1, workers, inFlight, 64, 0.001, 1, 0.0001, 2,
                0.0001, 2, 1e9, 1, 5, mergeConcurrency, 0.5);
    }

    @Test
    void modelBoundRunLandsOnTheIdeal() {
        // 100 success analyses, min(K, W·C) = min(16, 2·6) = 12 calls at once: ⌈100/12⌉ = 9 waves of 2 s
        ScaleSim.Result r = ScaleSim.simulate(params(100, 16, 2, 6, 4, 0));
        assertThat(r.idealAnalysis()).isEqualTo(18.0);
        assertThat(r.analysisEnd() - r.publishEnd()).isCloseTo(18.0, within(0.05));
        // merge: 100 → 20 → 4 → 1 nodes; ⌈20/4⌉ + 1 + 1 = 7 waves of 1 s
        assertThat(r.mergeLevelEnds()).hasSize(3);
        assertThat(r.idealMerge()).isEqualTo(7.0);
        assertThat(r.mergeTime()).isCloseTo(7.0, within(0.01));
        assertThat(r.wall()).isCloseTo(r.ideal() + 0.5, within(0.1));
        assertThat(r.modelCalls()).isEqualTo(100 + 20 + 4 + 1);
        assertThat(r.kafkaRecords()).isEqualTo(200); // a job and a patch per trajectory
    }

    @Test
    void errorAnalysesMakeSeveralSequentialCalls() {
        ScaleSim.Result r = ScaleSim.simulate(params(40, 1000, 10, 100, 4, 0.5));
        // about half of 40 analyses are error analyses (3 calls); with a slot each they end after 3 L
        assertThat(r.analysisEnd() - r.publishEnd()).isCloseTo(6.0, within(0.05));
        long analysisCalls = r.modelCalls() - (8 + 2 + 1);
        assertThat((analysisCalls - 40) % 2).isZero(); // every error analysis adds 2 calls to the 40 first ones
        assertThat(analysisCalls).isBetween(40L + 2 * 10, 40L + 2 * 30);
    }

    @Test
    void aSlowWorkerCpuBecomesTheBottleneck() {
        // 200 ms of CPU per analysis on one core: 100 analyses need 20 s whatever the model allows
        ScaleSim.Params p = new ScaleSim.Params(100, 0, 1, 3, 0.01, 0.01, 1000, 1, 1, 100, 1, 200, 1, 0.0001, 2, 0.0001, 2, 1e9, 1, 5, 100, 0);
        ScaleSim.Result r = ScaleSim.simulate(p);
        assertThat(r.analysisEnd()).isCloseTo(20.0, within(0.1));
        assertThat(r.bottleneck()).isEqualTo("worker CPU");
    }

    @Test
    void fewPartitionsLimitTheConsumingWorkers() {
        // 8 workers but 2 partitions: only 2 consume, 2·4 = 8 calls at once
        ScaleSim.Params p = new ScaleSim.Params(80, 0, 1, 3, 1.0, 1.0, 100, 1, 8, 4, 2, 0.001, 1, 0.0001, 2, 0.0001, 2, 1e9, 1, 5, 4, 0);
        assertThat(ScaleSim.simulate(p).analysisEnd()).isCloseTo(10.0, within(0.05));
    }

    @Test
    void theProgramPrintsATableForTinyN() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            ScaleSim.main(new String[]{"--n", "50,500"});
        } finally {
            System.setOut(before);
        }
        String table = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(table).contains("| N | GPUs | workers").contains("| 50 | 1 |").contains("| 500 | 1 |");
    }
}
