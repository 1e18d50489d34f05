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
    void aSharedHostQueuesEveryProcessForItsCores() {
        // 100 success analyses with 100 ms of worker CPU each over 4 workers, 10 ms model calls: on a core each the
        // workers need 25 x 100 ms = 2.5 s; on one host core shared by everything the 10 s of worker CPU come one after another
        ScaleSim.Params own = new ScaleSim.Params(100, 0, 1, 3, 0.01, 0.01, 1000, 1, 4, 100, 4, 100, 1, 0.01, 2, 0.01, 2, 1e9, 1, 5, 100, 0);
        assertThat(ScaleSim.simulate(own).analysisEnd()).isBetween(2.5, 3.0);
        ScaleSim.Result shared = ScaleSim.simulate(own.onHost(1));
        assertThat(shared.analysisEnd()).isBetween(10.0, 10.5);
        // half a core left to the pipeline: twice as long
        assertThat(ScaleSim.simulate(own.onHost(0.5)).analysisEnd()).isBetween(20.0, 21.0);
    }

    @Test
    void perRoleSlotsAndPooledPatchesShapeTheIdeal() {
        // 100 trajectories, half failed with 4 calls (c = 2.5): 250 calls over min(K_s + K_e = 20, W·C = 64) = 13 waves of
        // 2 s; 60 patches pooled: 12, 3, 1 merge nodes over min(m = 8, K_merge = 4) = 3 + 1 + 1 waves of 1 s
        ScaleSim.Params p = new ScaleSim.Params(100, 0.5, 1, 4, 2.0, 1.0, 10, 1, 4, 16, 16, 0.001, 1, 0.0001, 2, 0.0001, 2, 1e9, 1, 5, 8, 0,
                2.0, 10, 4, 60, 0, 0, 1, 0, 0, 0, 0);
        double[] ideal = ScaleSim.ideal(p);
        assertThat(ideal[0]).isEqualTo(26.0);
        assertThat(ideal[1]).isEqualTo(5.0);
        ScaleSim.Result r = ScaleSim.simulate(p);
        assertThat(r.mergeLevelEnds()).hasSize(3);
        assertThat(r.mergeTime()).isCloseTo(5.0, within(0.01));
        // one call per success analysis, four per error analysis (about half of 100 failed), one per merge node
        long analysisCalls = r.modelCalls() - (12 + 3 + 1);
        assertThat((analysisCalls - 100) % 3).isZero();
        assertThat(analysisCalls).isBetween(100L + 3 * 30, 100L + 3 * 70);
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
