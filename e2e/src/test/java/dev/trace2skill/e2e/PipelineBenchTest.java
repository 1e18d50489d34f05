package dev.trace2skill.e2e;

import dev.trace2skill.bench.PipelineBench;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline benchmark (issue 18) on a tiny N, so that CI knows it starts and finishes: Kafka, PostgreSQL and the
 * four services as processes from their packaged jars (one worker), 16 word-problem trajectories (8 failed) pushed
 * over REST, one LLM run against the role-aware latency model server (L = 50 ms), S* stored. The measured runs
 * (N = 512 and 5,000 at L = 2 s, W = 4) are made by hand ({@link PipelineBench#main}); their numbers are in the README.
 * <p>
 * 111 s on the development machine under load average 8-13, 65 s of it the services starting; the run itself 8 s.
 */
class PipelineBenchTest {

    @Test
    void tinyPipelineRunsFromPushToSStarAndReportsEveryPhase() throws Exception {
        PipelineBench.Config cfg = PipelineBench.Config.of(List.of(16), 1, 8, 50, 16, Path.of("target/pipeline-logs"))
                .withWarmup(0).withMerge(5, 4).withPartitions(8);
        List<PipelineBench.Result> results = PipelineBench.run(cfg);
        assertThat(results).hasSize(1);
        PipelineBench.Result r = results.get(0);
        System.out.println(r.text());

        assertThat(r.sStar()).isEqualTo("word-sums@2");
        assertThat(r.failures()).isEqualTo(8);
        assertThat(r.analysesSuccess()).isEqualTo(8);
        assertThat(r.analysesError()).isEqualTo(8);
        assertThat(r.analysesFailed()).isZero();
        // every error analysis replayed its task in the math environment and the checker accepted its fix
        assertThat(r.errorVerified()).isEqualTo(8);
        assertThat(r.patches()).isEqualTo(16);
        // calls per role, counted by the model server: one per success analysis, several per error analysis, one per merge node
        assertThat(r.calls().get("success")).isEqualTo(8);
        assertThat(r.calls().get("error")).isGreaterThanOrEqualTo(8 * 3);
        assertThat(r.calls().get("merge")).isEqualTo(r.levels().stream().mapToInt(PipelineBench.Level::modelNodes).sum()).isEqualTo(4 + 1);
        assertThat(r.meanCalls()).isGreaterThan(1.0);
        // B = 5 over 16 patches: 4 nodes, then the root
        assertThat(r.levels()).extracting(PipelineBench.Level::nodes).containsExactly(4, 1);
        // every phase printed, in order, and the wall clock runs from the first push to S* stored
        assertThat(r.text()).contains("ingest", "publish", "analysis", "merge level 1", "merge level 2", "apply", "store S*", "WALL / IDEAL",
                "ScaleSim vs measured");
        assertThat(r.phases()).allSatisfy(p -> assertThat(p.end()).isGreaterThanOrEqualTo(p.start()).isLessThanOrEqualTo(r.wall() + 1e-6));
        assertThat(r.wall()).isGreaterThan(r.ideal());
        assertThat(r.predicted().wall()).isPositive();
        assertThat(r.cpuSeconds()).containsKeys("trace-ingest", "analyst-worker-1", "merger", "evaluator", "kafka", "postgresql");
        assertThat(r.rss()).containsKeys("trace-ingest", "analyst-worker-1", "merger", "evaluator");
        // the files for looking into a run: one line per analysis (each within the wall), the CPU per quarter second
        List<String> analyses = Files.readAllLines(cfg.logs().resolve("N16").resolve("analyses.csv"));
        assertThat(analyses.getFirst()).isEqualTo("worker,analyst,model_calls,start_s,end_s");
        assertThat(analyses.subList(1, analyses.size())).hasSize(16).allSatisfy(line -> {
            String[] f = line.split(",");
            assertThat(f[0]).isEqualTo("bench-worker-1");
            assertThat(Double.parseDouble(f[4])).isGreaterThanOrEqualTo(Double.parseDouble(f[3])).isLessThanOrEqualTo(r.wall());
        });
        List<String> cpu = Files.readAllLines(cfg.logs().resolve("N16").resolve("cpu.csv"));
        assertThat(cpu.getFirst()).startsWith("t_s,calls_in_flight,host,trace-ingest,analyst-worker-1,merger,evaluator,kafka,postgresql");
        assertThat(cpu).hasSizeGreaterThan(2);
    }
}
