package dev.trace2skill.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.infra.LocalInfra;
import dev.trace2skill.infra.PostgresServer;
import dev.trace2skill.infra.ServiceProcess;
import dev.trace2skill.modelsim.RoleLatencyModelServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PipelineBench (issue 18): the whole pipeline as a user runs it, against what the model server allows.
 *
 * <p>Real Kafka and PostgreSQL (local-infra), and the four services as processes from their packaged jars:
 * trace-ingest, W analyst-workers in one consumer group (C calls in flight to the model endpoint,
 * {@code T2S_MODEL_MAX_CONCURRENT}; C + H jobs in flight, {@code T2S_WORKER_MAX_IN_FLIGHT}, where the headroom H, 16 by default, lets
 * a freed model slot go at once to a job already prepared instead of waiting for the next job to be read, parsed and
 * counted on a busy host), the merger (merge concurrency m, as many calls to its endpoint) and the evaluator. The model
 * server ({@link RoleLatencyModelServer}, in this JVM) holds each call for its role's latency L in one of its role's K
 * slots and answers every role validly ({@link PipelineModel}). For each N: N arithmetic word-problem trajectories
 * (a share of them failed, each carrying its question, expected answer and checker, so the error analyst replays it in
 * the math environment and verifies its fix) are pushed over REST in NDJSON batches, then one run over them
 * ({@code engine: llm}, analysts combined, B). The clock runs from the first push to S* stored in the registry.
 *
 * <p>Printed: each phase with its wall time (ingest, publish, analysis, the gap before the merge, each merge level,
 * apply and store), from the services' own records (worker job attempts, merger pool rows and merge nodes, the
 * registry's version); the model-bound ideal ⌈N·c / min(K, W·C)⌉·L + Σ_l ⌈g_l / min(m, K_merge)⌉·L_merge with c
 * measured and g_l from the actual tree; wall / ideal; calls and peak concurrency per role; CPU per process and RSS per
 * service; then {@link ScaleSim} given the same configuration and the costs measured in this run, predicted vs measured.
 * Beside the services' logs, for looking into a run: {@code analyses.csv} (each analysis: worker, analyst, model calls,
 * start and end) and {@code cpu.csv} (each process's and the host's CPU and the calls in flight, every quarter second).
 *
 * <pre>
 * $JAVA_HOME/bin/java -cp "bench/target/classes:bench/target/lib/*" dev.trace2skill.bench.PipelineBench --trajectories 512,5000
 * </pre>
 */
public final class PipelineBench {
    static final String TOKEN = "bench-token";
    static final String ADMIN_TOKEN = "bench-admin-token";

    /**
     * @param latencyMs per role (success, error, merge)
     * @param slots     K per role (success, error, merge)
     */
    public record Config(List<Integer> trajectories, double failureShare, int workers, int inFlight, int jobHeadroom, Map<String, Long> latencyMs,
                         Map<String, Integer> slots, int branching, int mergeConcurrency, int partitions, int batch, int pushClients,
                         int warmup, String jvmOpts, Path logs, long seed, Duration timeout) {
        /**
         * Jobs each worker holds beyond its C model calls, by default: with the gateway serving an analysis' next turn
         * before a new analysis' first call, a freed slot goes to a prepared job without putting the running analyses
         * behind new ones (N = 512: 1.095-1.104 against 1.138-1.243 with none; the services' own defaults hold 64 jobs
         * for 16 calls).
         */
        public static final int JOB_HEADROOM = 16;

        public static Config of(List<Integer> trajectories, int workers, int inFlight, long latencyMs, int slots, Path logs) {
            return new Config(trajectories, 0.5, workers, inFlight, JOB_HEADROOM, lanes(latencyMs, latencyMs, latencyMs), lanes(slots, slots, slots), 5,
                    32, 16, 100, 2, 64, ServiceProcess.DEFAULT_JVM_OPTS, logs, 18, Duration.ofMinutes(30));
        }

        static <T> Map<String, T> lanes(T success, T error, T merge) {
            Map<String, T> m = new LinkedHashMap<>();
            m.put(PipelineModel.SUCCESS, success);
            m.put(PipelineModel.ERROR, error);
            m.put(PipelineModel.MERGE, merge);
            return m;
        }

        public Config withWarmup(int n) {
            return new Config(trajectories, failureShare, workers, inFlight, jobHeadroom, latencyMs, slots, branching, mergeConcurrency, partitions, batch,
                    pushClients, n, jvmOpts, logs, seed, timeout);
        }

        public Config withMerge(int branching, int mergeConcurrency) {
            return new Config(trajectories, failureShare, workers, inFlight, jobHeadroom, latencyMs, slots, branching, mergeConcurrency, partitions, batch,
                    pushClients, warmup, jvmOpts, logs, seed, timeout);
        }

        public Config withPartitions(int p) {
            return new Config(trajectories, failureShare, workers, inFlight, jobHeadroom, latencyMs, slots, branching, mergeConcurrency, p, batch,
                    pushClients, warmup, jvmOpts, logs, seed, timeout);
        }
    }

    /** A phase: its name, start and end in seconds from the first push. */
    public record Phase(String name, double start, double end) {
        public double seconds() {
            return end - start;
        }
    }

    /** A merge level: nodes that called the model, all nodes, when its first node started and its last was stored. */
    public record Level(int level, int modelNodes, int nodes, double start, double end) {
    }

    /** One measured run. */
    public record Result(int n, int failures, double wall, List<Phase> phases, List<Level> levels, double idealAnalysis, double idealMerge,
                         double meanCalls, Map<String, Long> calls, Map<String, Integer> peaks, int analysesSuccess, int analysesError,
                         int errorVerified, int analysesFailed, int patches, String sStar, Map<String, Double> cpuSeconds,
                         Map<String, String> rss, ScaleSim.Params simParams, ScaleSim.Result predicted, String text) {
        public double ideal() {
            return idealAnalysis + idealMerge;
        }

        public double ratio() {
            return wall / ideal();
        }

        public Phase phase(String name) {
            return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("trajectories", "512,5000");
        d.put("failure-share", "0.5");
        d.put("workers", "4");
        d.put("in-flight", "32");
        d.put("job-headroom", Integer.toString(Config.JOB_HEADROOM));
        d.put("latency-ms", "2000");
        d.put("success-latency-ms", "");
        d.put("error-latency-ms", "");
        d.put("merge-latency-ms", "");
        d.put("slots", "128");
        d.put("success-slots", "");
        d.put("error-slots", "");
        d.put("merge-slots", "");
        d.put("branching", "5");
        d.put("merge-concurrency", "32");
        d.put("partitions", "16");
        d.put("batch", "100");
        d.put("push-clients", "2");
        d.put("warmup", "64");
        d.put("jvm-opts", ServiceProcess.DEFAULT_JVM_OPTS);
        d.put("logs", "bench/target/bench-logs/pipeline");
        d.put("seed", "18");
        d.put("timeout-min", "30");
        Args a = new Args(argv, d, "PipelineBench: push -> analyses -> hierarchical merge -> S*, against the model-bound ideal (issue 18)");
        long l = a.longValue("latency-ms");
        int k = a.integer("slots");
        Map<String, Long> latency = Config.lanes(orLong(a, "success-latency-ms", l), orLong(a, "error-latency-ms", l), orLong(a, "merge-latency-ms", l));
        Map<String, Integer> slots = Config.lanes(orInt(a, "success-slots", k), orInt(a, "error-slots", k), orInt(a, "merge-slots", k));
        Config cfg = new Config(a.integers("trajectories"), a.decimal("failure-share"), a.integer("workers"), a.integer("in-flight"), a.integer("job-headroom"), latency, slots,
                a.integer("branching"), a.integer("merge-concurrency"), a.integer("partitions"), a.integer("batch"), a.integer("push-clients"),
                a.integer("warmup"), a.get("jvm-opts"), Path.of(a.get("logs")), a.longValue("seed"), Duration.ofMinutes(a.integer("timeout-min")));
        run(cfg);
    }

    /** The workers run with the services' options plus what the chart adds for them (analystWorker.jvmOpts: C1 only). */
    static String workerJvmOpts(String jvmOpts) {
        String extra = ServiceProcess.WORKER_JVM_OPTS.substring(ServiceProcess.DEFAULT_JVM_OPTS.length()).strip();
        return jvmOpts.contains(extra) ? jvmOpts : jvmOpts + " " + extra;
    }

    private static long orLong(Args a, String name, long fallback) {
        return a.get(name).isBlank() ? fallback : a.longValue(name);
    }

    private static int orInt(Args a, String name, int fallback) {
        return a.get(name).isBlank() ? fallback : a.integer(name);
    }

    /** Runs every N of the configuration, each on a fresh Kafka, PostgreSQL and services; returns the results. */
    public static List<Result> run(Config cfg) throws Exception {
        Files.createDirectories(cfg.logs());
        List<Result> results = new ArrayList<>();
        for (int n : cfg.trajectories()) {
            Result r = new PipelineBench(cfg, n).go();
            Files.writeString(cfg.logs().resolve("pipeline-N" + n + ".txt"), r.text());
            results.add(r);
        }
        return results;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private final Config cfg;
    private final int n;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final PipelineModel world = new PipelineModel();
    private final StringBuilder out = new StringBuilder();
    private ServiceProcess ingest;
    private final List<ServiceProcess> workers = new ArrayList<>();
    private ServiceProcess merger;
    private ServiceProcess evaluator;
    private String jdbc;

    private PipelineBench(Config cfg, int n) {
        this.cfg = cfg;
        this.n = n;
    }

    private void say(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        out.append(line).append('\n');
    }

    private Result go() throws Exception {
        Path dir = LocalInfra.tempDir();
        Path logs = cfg.logs().resolve("N" + n);
        Files.createDirectories(logs);
        Map<String, RoleLatencyModelServer.Lane> lanes = new LinkedHashMap<>();
        for (String role : List.of(PipelineModel.SUCCESS, PipelineModel.ERROR, PipelineModel.MERGE)) {
            lanes.put(role, new RoleLatencyModelServer.Lane(Duration.ofMillis(cfg.latencyMs().get(role)), cfg.slots().get(role)));
        }
        List<ServiceProcess> all = new ArrayList<>();
        try (LocalInfra infra = LocalInfra.start(dir, 0, 0, false);
             RoleLatencyModelServer model = RoleLatencyModelServer.start(0, lanes, PipelineModel::role, world::answer)) {
            try {
                return measure(infra, model, logs, all);
            } finally {
                for (ServiceProcess p : all) {
                    p.close(); // before Kafka and PostgreSQL stop
                }
            }
        } finally {
            LocalInfra.deleteTree(dir);
        }
    }

    private Result measure(LocalInfra infra, RoleLatencyModelServer model, Path logs, List<ServiceProcess> all) throws Exception {
        infra.postgres().createDatabase("t2s_pipeline");
        jdbc = infra.postgres().jdbcUrl("t2s_pipeline");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        env.put("T2S_DATASOURCE_JDBC_URL", jdbc);
        env.put("T2S_DATASOURCE_USERNAME", PostgresServer.USER);
        env.put("T2S_API_TOKEN", TOKEN);
        env.put("T2S_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("T2S_MODEL_BASE_URL", model.baseUrl());
        env.put("T2S_MODEL_NAME", "simulated");
        env.put("T2S_TOPICS_ANALYSIS_PARTITIONS", Integer.toString(cfg.partitions()));
        env.put("T2S_TOPICS_PARTITIONS", "8");
        long launch = System.nanoTime();
        ingest = ServiceProcess.start("trace-ingest", "trace-ingest", env, cfg.jvmOpts(), logs);
        all.add(ingest);
        for (int i = 1; i <= cfg.workers(); i++) {
            Map<String, String> e = new LinkedHashMap<>(env);
            e.put("HOSTNAME", "bench-worker-" + i);
            e.put("T2S_INGEST_URL", ingest.url());
            e.put("T2S_WORKER_MAX_IN_FLIGHT", Integer.toString(cfg.inFlight() + cfg.jobHeadroom()));
            e.put("T2S_MODEL_MAX_CONCURRENT", Integer.toString(cfg.inFlight()));
            ServiceProcess w = ServiceProcess.start("analyst-worker", "analyst-worker-" + i, e, workerJvmOpts(cfg.jvmOpts()), logs);
            workers.add(w);
            all.add(w);
        }
        Map<String, String> m = new LinkedHashMap<>(env);
        m.put("T2S_MERGER_MERGE_CONCURRENCY", Integer.toString(cfg.mergeConcurrency()));
        m.put("T2S_MODELS_ENDPOINTS_DEFAULT_MAX_CONCURRENT", Integer.toString(cfg.mergeConcurrency()));
        merger = ServiceProcess.start("merger", "merger", m, cfg.jvmOpts(), logs);
        all.add(merger);
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("T2S_INGEST_URL", ingest.url());
        evaluator = ServiceProcess.start("evaluator", "evaluator", e, cfg.jvmOpts(), logs);
        all.add(evaluator);
        for (ServiceProcess p : all) {
            p.awaitReady(Duration.ofSeconds(300));
        }
        WorkerBench.awaitStableGroup(infra.kafka().bootstrapServers(), cfg.workers(), cfg.partitions(), Duration.ofSeconds(180));
        say("=== PipelineBench N = %,d: %d workers (C = %d model calls, C + H = %d jobs), K %s, L %s ms, B = %d, merger m = %d, %d partitions; services ready after %.1f s",
                n, cfg.workers(), cfg.inFlight(), cfg.inFlight() + cfg.jobHeadroom(), cfg.slots(), cfg.latencyMs(), cfg.branching(), cfg.mergeConcurrency(), cfg.partitions(),
                (System.nanoTime() - launch) / 1e9);
        post("/v1/skills", "application/json", Json.write(Map.of("name", PipelineModel.SKILL_NAME, "files", Map.of("SKILL.md", PipelineModel.SKILL_MD))), 201);

        String stamp = Long.toString(System.currentTimeMillis(), 36);
        if (cfg.warmup() > 0) {
            // not measured: the JVMs' first classes and JIT, connection pools, the merger's embedding model
            long w0 = System.nanoTime();
            Timeline warm = pipeline("warm-" + stamp, cfg.warmup(), 2);
            say("warm-up: %d trajectories pushed, analysed and merged into %s in %.1f s (not measured)", cfg.warmup(), warm.sStar,
                    (System.nanoTime() - w0) / 1e9);
        }
        Map<String, RoleLatencyModelServer.RoleStats> before = model.stats();
        model.resetPeaks();
        Map<String, double[]> clientBefore = clientLatency();
        CpuSampler sampler = new CpuSampler(infra, all, model);
        Timeline t;
        try {
            t = pipeline("pipe-" + stamp, n, cfg.warmup() > 0 ? 3 : 2);
        } finally {
            sampler.stop();
        }
        Map<String, RoleLatencyModelServer.RoleStats> after = model.stats();
        Map<String, double[]> clientAfter = clientLatency();
        for (ServiceProcess p : all) {
            p.saveMetrics();
        }
        writeTimeline(t, logs.resolve("analyses.csv"));
        sampler.writeCsv(logs.resolve("cpu.csv"), t.firstPush);
        return report(t, before, after, sampler, all, clientBefore, clientAfter);
    }

    /**
     * Each analysis of the measured run as the worker's ledger has it (worker, analyst, model calls, start and end in
     * seconds from the first push), to see how the workers' slots were filled. The end is when the ledger recorded the
     * result (after it was on Kafka), the start that less the analysis' own duration, so both lag by the publish.
     */
    private void writeTimeline(Timeline t, Path csv) throws SQLException, IOException {
        StringBuilder out = new StringBuilder("worker,analyst,model_calls,start_s,end_s\n");
        try (Connection c = DriverManager.getConnection(jdbc, PostgresServer.USER, "");
             PreparedStatement ps = c.prepareStatement("""
                     SELECT worker, analyst, model_calls, (extract(epoch FROM finished_at) * 1000)::bigint - latency_ms,
                            (extract(epoch FROM finished_at) * 1000)::bigint
                     FROM worker.analyses WHERE run_id = ? ORDER BY 4""")) {
            ps.setString(1, t.runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.append(String.format(Locale.ROOT, "%s,%s,%d,%.3f,%.3f%n", rs.getString(1), rs.getString(2), rs.getInt(3),
                            (rs.getLong(4) - t.firstPush) / 1e3, (rs.getLong(5) - t.firstPush) / 1e3));
                }
            }
        }
        Files.writeString(csv, out);
    }

    /** What one run's clock and records say, in epoch milliseconds. */
    private static final class Timeline {
        String runId;
        String sStar;
        int version;
        long firstPush;
        long lastPushAck;
        long runPosted;
        long runAnswered;
        long doneSeen;
        int failures;
    }

    /** Pushes {@code count} trajectories, starts the run, waits for S*. */
    private Timeline pipeline(String prefix, int count, int expectVersion) throws Exception {
        Timeline t = new Timeline();
        int failures = (int) Math.round(count * cfg.failureShare());
        t.failures = failures;
        List<String> lines = world.trajectories(prefix, count, failures, cfg.seed() + count + prefix.hashCode());
        List<String> batches = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += cfg.batch()) {
            batches.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + cfg.batch()))) + "\n");
        }
        String dataset = prefix;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        t.firstPush = System.currentTimeMillis();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < cfg.pushClients(); c++) {
                clients.add(pool.submit(() -> {
                    for (int b = next.getAndIncrement(); b < batches.size(); b = next.getAndIncrement()) {
                        HttpResponse<String> r = send("/v1/trajectories?dataset=" + dataset, "application/x-ndjson", batches.get(b));
                        if (r.statusCode() / 100 != 2) {
                            throw new IllegalStateException("push answered " + r.statusCode() + ": " + r.body());
                        }
                        accepted.addAndGet(Json.mapper().readTree(r.body()).path("accepted").asInt());
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        }
        t.lastPushAck = System.currentTimeMillis();
        if (accepted.get() != count) {
            throw new IllegalStateException(accepted.get() + " of " + count + " trajectories accepted");
        }
        t.runPosted = System.currentTimeMillis();
        JsonNode run = Json.mapper().readTree(post("/v1/runs", "application/json", Json.write(Map.of("skill", PipelineModel.SKILL_NAME + "@1",
                "trajectories", Map.of("dataset", dataset, "limit", count), "analysts", "combined", "engine", "llm",
                "mergeBranching", cfg.branching())), 202));
        t.runAnswered = System.currentTimeMillis();
        t.runId = run.path("id").asText();
        long end = System.nanoTime() + cfg.timeout().toNanos();
        JsonNode status = run;
        while (System.nanoTime() < end) {
            status = Json.mapper().readTree(get(ingest.url() + "/v1/runs/" + t.runId));
            String s = status.path("status").asText();
            if (s.equals("done")) {
                t.doneSeen = System.currentTimeMillis();
                t.sStar = status.path("evolvedSkill").asText();
                t.version = Integer.parseInt(t.sStar.substring(t.sStar.indexOf('@') + 1));
                if (t.version != expectVersion) {
                    throw new IllegalStateException("S* of run " + t.runId + " is " + t.sStar + ", expected version " + expectVersion);
                }
                return t;
            }
            if (s.equals("failed") || s.equals("needs_approval") || s.equals("cancelled")) {
                throw new IllegalStateException("run " + t.runId + " ended " + s + ": " + status);
            }
            Thread.sleep(500); // the wall comes from the services' rows, not from this poll, which should cost the host little
        }
        throw new IllegalStateException("run " + t.runId + " not done within " + cfg.timeout() + ": " + status);
    }

    // ---- the report ----------------------------------------------------------------------------------------------

    private Result report(Timeline t, Map<String, RoleLatencyModelServer.RoleStats> before, Map<String, RoleLatencyModelServer.RoleStats> after,
                          CpuSampler cpu, List<ServiceProcess> all, Map<String, double[]> clientBefore,
                          Map<String, double[]> clientAfter) throws Exception {
        long jobStart;
        long analysisEnd;
        long firstPatch;
        int analysesSuccess;
        int analysesError;
        int verified;
        int failedAnalyses;
        long successCalls;
        long errorCalls;
        int patches;
        long outputsAt;
        long sStarAt;
        List<long[]> levelRows = new ArrayList<>(); // level, model nodes, nodes, start, end
        try (Connection c = DriverManager.getConnection(jdbc, PostgresServer.USER, "")) {
            // when the first analysis started: the worker records each analysis' end and duration
            long[] w = longs(c, "SELECT (extract(epoch FROM min(finished_at - latency_ms * interval '1 millisecond')) * 1000)::bigint "
                    + "FROM worker.analyses WHERE run_id = ?", t.runId);
            jobStart = w[0];
            long[] a = longs(c, """
                    SELECT count(*) FILTER (WHERE upper(analyst) = 'SUCCESS'), count(*) FILTER (WHERE upper(analyst) = 'ERROR'),
                           count(*) FILTER (WHERE upper(analyst) = 'ERROR' AND verified AND upper(status) = 'PROPOSED'),
                           count(*) FILTER (WHERE upper(status) <> 'PROPOSED'),
                           coalesce(sum(model_calls) FILTER (WHERE upper(analyst) = 'SUCCESS'), 0),
                           coalesce(sum(model_calls) FILTER (WHERE upper(analyst) = 'ERROR'), 0)
                    FROM worker.analyses WHERE run_id = ?""", t.runId);
            analysesSuccess = (int) a[0];
            analysesError = (int) a[1];
            verified = (int) a[2];
            failedAnalyses = (int) a[3];
            successCalls = a[4];
            errorCalls = a[5];
            long[] p = longs(c, "SELECT count(*) FILTER (WHERE NOT late), (extract(epoch FROM min(received_at)) * 1000)::bigint, "
                    + "(extract(epoch FROM max(received_at)) * 1000)::bigint FROM merger.patches WHERE run_id = ?", t.runId);
            patches = (int) p[0];
            firstPatch = p[1];
            analysisEnd = p[2];
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT level, count(*) FILTER (WHERE engine <> 'pass'), count(*),
                           (extract(epoch FROM min(done_at - latency_ms * interval '1 millisecond')) * 1000)::bigint,
                           (extract(epoch FROM max(done_at)) * 1000)::bigint
                    FROM merger.merge_nodes WHERE run_id = ? GROUP BY level ORDER BY level""")) {
                ps.setString(1, t.runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        levelRows.add(new long[]{rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getLong(4), rs.getLong(5)});
                    }
                }
            }
            outputsAt = longs(c, "SELECT (extract(epoch FROM created_at) * 1000)::bigint FROM merger.run_outputs WHERE run_id = ?", t.runId)[0];
            sStarAt = longs(c, "SELECT (extract(epoch FROM created_at) * 1000)::bigint FROM ingest.skill_versions WHERE name = ? AND version = ?",
                    PipelineModel.SKILL_NAME, t.version)[0];
        }
        double t0 = t.firstPush;
        java.util.function.LongFunction<Double> s = ms -> (ms - t0) / 1e3;
        List<Phase> phases = new ArrayList<>();
        phases.add(new Phase("ingest", 0, s.apply(t.lastPushAck)));
        phases.add(new Phase("publish", s.apply(t.runPosted), s.apply(t.runAnswered)));
        phases.add(new Phase("analysis", s.apply(jobStart), s.apply(analysisEnd)));
        List<Level> levels = new ArrayList<>();
        for (long[] r : levelRows) {
            levels.add(new Level((int) r[0], (int) r[1], (int) r[2], s.apply(r[3]), s.apply(r[4])));
        }
        double mergeStart = levels.isEmpty() ? s.apply(analysisEnd) : levels.getFirst().start();
        double mergeEnd = levels.isEmpty() ? s.apply(analysisEnd) : levels.getLast().end();
        phases.add(new Phase("before the merge", s.apply(analysisEnd), mergeStart));
        for (Level l : levels) {
            phases.add(new Phase("merge level " + l.level(), l.start(), l.end()));
        }
        phases.add(new Phase("apply (S* computed)", mergeEnd, s.apply(outputsAt)));
        phases.add(new Phase("store S* (registered)", s.apply(outputsAt), s.apply(sStarAt)));
        double wall = s.apply(sStarAt);

        // the ideal, with c measured and g_l from the actual tree
        Map<String, Long> calls = new LinkedHashMap<>();
        Map<String, Integer> peaks = new LinkedHashMap<>();
        for (var e : after.entrySet()) {
            long b = before.containsKey(e.getKey()) ? before.get(e.getKey()).calls() : 0;
            calls.put(e.getKey(), e.getValue().calls() - b);
            peaks.put(e.getKey(), e.getValue().peak());
        }
        long analystCalls = calls.getOrDefault(PipelineModel.SUCCESS, 0L) + calls.getOrDefault(PipelineModel.ERROR, 0L);
        double c = analystCalls / (double) n;
        long kA = cfg.slots().get(PipelineModel.SUCCESS) + (long) cfg.slots().get(PipelineModel.ERROR);
        long wc = (long) cfg.workers() * cfg.inFlight();
        long sc = calls.getOrDefault(PipelineModel.SUCCESS, 0L);
        long ec = calls.getOrDefault(PipelineModel.ERROR, 0L);
        double lA = (sc * cfg.latencyMs().get(PipelineModel.SUCCESS) + ec * cfg.latencyMs().get(PipelineModel.ERROR)) / 1e3 / Math.max(1, sc + ec);
        double idealAnalysis = Math.ceil(analystCalls / (double) Math.min(kA, wc) - 1e-9) * lA;
        double lM = cfg.latencyMs().get(PipelineModel.MERGE) / 1e3;
        int mEff = Math.min(cfg.mergeConcurrency(), cfg.slots().get(PipelineModel.MERGE));
        double idealMerge = 0;
        for (Level l : levels) {
            idealMerge += Math.ceil(l.modelNodes() / (double) mEff) * lM;
        }

        // CPU per process over the measured run, and per phase for the simulation's inputs
        Map<String, Double> cpuRun = new LinkedHashMap<>();
        for (String name : cpu.names()) {
            cpuRun.put(name, cpu.between(name, t.firstPush, sStarAt) / 1e3);
        }
        Map<String, String> rss = new LinkedHashMap<>();
        for (ServiceProcess p : all) {
            ServiceProcess.Memory mem = p.memory();
            rss.put(p.name, mem.rssMiB() + " MiB (peak " + mem.hwmMiB() + ")");
        }

        say("run %s: %,d trajectories (%,d failed) -> %s; analyses: %,d success + %,d error (%,d of them verified), %,d failed; %,d patches pooled",
                t.runId, n, t.failures, t.sStar, analysesSuccess, analysesError, verified, failedAnalyses, patches);
        say("%-24s %9s %9s %9s", "phase", "from (s)", "to (s)", "wall (s)");
        for (Phase p : phases) {
            say("%-24s %9.2f %9.2f %9.2f", p.name(), p.start(), p.end(), p.seconds());
        }
        say("%-24s %9.2f %9.2f %9.2f   (first push -> S* stored in the registry; the run was seen done at %.2f s)", "WALL", 0.0, wall, wall,
                s.apply(t.doneSeen));
        say("first job started %.2f s after the run was posted; first patch stored at %.2f s; jobs published at %.2f s",
                (jobStart - t.runPosted) / 1e3, s.apply(firstPatch), s.apply(t.runAnswered));
        StringBuilder lv = new StringBuilder();
        for (Level l : levels) {
            lv.append(String.format(Locale.ROOT, " L%d: %d nodes (%d model calls)", l.level(), l.nodes(), l.modelNodes()));
        }
        say("merge tree (B = %d, %d patches):%s", cfg.branching(), patches, lv);
        say("calls per role: %s; c = %.3f analyst calls per trajectory (success %.2f per analysis, error %.2f); peak in flight per role: %s",
                calls, c, sc / (double) Math.max(1, analysesSuccess), ec / (double) Math.max(1, analysesError), peaks);
        say("ideal: analysis ceil(%,d / min(K %d, W*C %d)) * %.2f s = %.1f s; merge sum_l ceil(g_l / min(m %d, K %d)) * %.2f s = %.1f s; total %.1f s",
                analystCalls, kA, wc, lA, idealAnalysis, cfg.mergeConcurrency(), cfg.slots().get(PipelineModel.MERGE), lM, idealMerge,
                idealAnalysis + idealMerge);
        say("WALL / IDEAL = %.1f / %.1f = %.3f (goal <= 1.1)", wall, idealAnalysis + idealMerge, wall / (idealAnalysis + idealMerge));
        Phase analysis = phases.get(2);
        say("beyond the ideal: analysis %+.1f s (wall %.1f vs ideal %.1f), merge %+.1f s (levels %.1f vs ideal %.1f), "
                        + "everything else %.1f s (ingest %.1f, publish %.1f, gap before the merge %.1f, apply and store %.1f)",
                analysis.seconds() - idealAnalysis, analysis.seconds(), idealAnalysis, (mergeEnd - mergeStart) - idealMerge, mergeEnd - mergeStart,
                idealMerge, wall - analysis.seconds() - (mergeEnd - mergeStart), phases.get(0).seconds(), phases.get(1).seconds(),
                mergeStart - s.apply(analysisEnd), wall - mergeEnd);
        StringBuilder cpuLine = new StringBuilder();
        cpuRun.forEach((name, sec) -> cpuLine.append(String.format(Locale.ROOT, " %s %.1f s;", name, sec)));
        say("CPU from the first push to S* (%.1f s wall on %d cores):%s", wall, Runtime.getRuntime().availableProcessors(), cpuLine);
        say("RSS now: %s", rss);
        StringBuilder waits = new StringBuilder();
        for (var e : after.entrySet()) {
            long b = before.containsKey(e.getKey()) ? before.get(e.getKey()).queueWait().toMillis() : 0;
            long callsOf = Math.max(1, calls.getOrDefault(e.getKey(), 0L));
            waits.append(String.format(Locale.ROOT, " %s %.0f ms;", e.getKey(), (e.getValue().queueWait().toMillis() - b) / (double) callsOf));
        }
        say("model server: mean wait for a slot per call:%s", waits);
        StringBuilder seen = new StringBuilder();
        clientAfter.forEach((name, v) -> {
            double[] b = clientBefore.getOrDefault(name, new double[2]);
            double count = v[1] - b[1];
            seen.append(String.format(Locale.ROOT, " %s %.2f s over %.0f calls;", name, count == 0 ? 0 : (v[0] - b[0]) / count, count));
        });
        say("a model call as the services saw it (t2s_model_latency_seconds, L = %.2f s analysts, %.2f s merge):%s", lA, lM, seen);
        say("model calls in flight, mean per interval of L_analyst from the first push (all roles): %s",
                cpu.occupancy(t.firstPush, sStarAt, (long) (lA * 1000)));
        double hostBusy = cpu.hostBusySeconds(t.firstPush, sStarAt);
        double ours = cpuRun.values().stream().mapToDouble(Double::doubleValue).sum();
        say("host CPU from the first push to S*: %.1f core-seconds busy of %.1f (%d cores), this benchmark's processes %.1f, everything else %.1f",
                hostBusy, wall * Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors(), ours,
                Math.max(0, hostBusy - ours));
        say("load average at the end: %s", IngestBench.loadAverage());

        // ScaleSim with this run's configuration and costs
        double workerCpu = 0;
        for (int i = 1; i <= cfg.workers(); i++) {
            workerCpu += cpu.between("analyst-worker-" + i, jobStart, analysisEnd);
        }
        double workerCpuMs = workerCpu / n;
        double kafkaMs = cpu.between("kafka", t.runPosted, analysisEnd) / (2.0 * n);
        double pgMs = cpu.between("postgresql", jobStart, analysisEnd) / (2.0 * n);
        double publishMs = cpu.between("trace-ingest", t.runPosted, t.runAnswered) / n;
        int mergeNodes = levels.stream().mapToInt(Level::modelNodes).sum();
        double mergeCpuMs = mergeNodes == 0 ? 0 : cpu.between("merger", (long) (t0 + mergeStart * 1e3), (long) (t0 + mergeEnd * 1e3)) / mergeNodes;
        double ingestRate = n / Math.max(1e-3, phases.get(0).seconds());
        int cores = Runtime.getRuntime().availableProcessors();
        double successMean = sc / (double) Math.max(1, analysesSuccess);
        double errorMean = ec / (double) Math.max(1, analysesError);
        ScaleSim.Params sim = new ScaleSim.Params(n, t.failures / (double) n, Math.max(1, successMean), Math.max(1, errorMean),
                cfg.latencyMs().get(PipelineModel.SUCCESS) / 1e3, lM, cfg.slots().get(PipelineModel.SUCCESS), 1, cfg.workers(), cfg.inFlight(),
                cfg.partitions(), workerCpuMs, cores / (double) cfg.workers(), kafkaMs, cores, pgMs, cores, ingestRate, 1, cfg.branching(),
                cfg.mergeConcurrency(), wall - mergeEnd, cfg.latencyMs().get(PipelineModel.ERROR) / 1e3, cfg.slots().get(PipelineModel.ERROR),
                cfg.slots().get(PipelineModel.MERGE), patches, publishMs, mergeCpuMs, cores, Math.max(0, mergeStart - s.apply(analysisEnd)), 0, 0, 0);
        // what a call took beyond L as the workers and the merger saw it (HTTP, JSON, waiting for a core)
        double workerSeen = 0;
        double workerCount = 0;
        for (ServiceProcess w : workers) {
            double[] b = clientBefore.getOrDefault(w.name, new double[2]);
            double[] a2 = clientAfter.getOrDefault(w.name, new double[2]);
            workerSeen += a2[0] - b[0];
            workerCount += a2[1] - b[1];
        }
        double[] mb = clientBefore.getOrDefault(merger.name, new double[2]);
        double[] ma = clientAfter.getOrDefault(merger.name, new double[2]);
        double analystOverhead = workerCount == 0 ? 0 : Math.max(0, workerSeen / workerCount - lA);
        double mergeOverhead = ma[1] - mb[1] == 0 ? 0 : Math.max(0, (ma[0] - mb[0]) / (ma[1] - mb[1]) - lM);
        // the host: the cores the pipeline's processes had, i.e. all of them less what everything else used meanwhile (this
        // JVM's model simulator and samplers, other work on the machine)
        double pipelineCpu = cpuRun.entrySet().stream().filter(e -> !e.getKey().equals("bench JVM")).mapToDouble(Map.Entry::getValue).sum();
        double others = Math.max(0, cpu.hostBusySeconds(t.firstPush, sStarAt) - pipelineCpu);
        double hostCores = Math.max(0.1, cores - others / Math.max(1e-3, wall));
        ScaleSim.Result bare = ScaleSim.simulate(sim);
        ScaleSim.Result overheads = ScaleSim.simulate(sim.withCallOverheads(analystOverhead, mergeOverhead));
        sim = sim.onHost(hostCores);
        ScaleSim.Result pred = ScaleSim.simulate(sim);
        say("ScaleSim inputs measured in this run: worker CPU %.2f ms per analysis, broker %.3f ms per record, PostgreSQL %.3f ms per row, "
                        + "trace-ingest %.3f ms per job published, merger %.1f ms CPU per merge node, c = %.2f / %.2f calls (success / error), "
                        + "ingest %.0f trajectories/s, %.2f s before the merge, %.2f s apply and store; structure: N, W, C, K, L per role, B, m, partitions",
                workerCpuMs, kafkaMs, pgMs, publishMs, mergeCpuMs, successMean, errorMean, ingestRate, sim.mergeStartS(), sim.applyS());
        say("ScaleSim, every process on cores of its own: wall %.1f s (%+.1f%%), analysis %.1f s; the same with the calls' overhead beyond L "
                        + "as the services saw it (%.2f s per analyst call, %.2f s per merge call): wall %.1f s (%+.1f%%), analysis %.1f s",
                bare.wall(), 100 * (bare.wall() - wall) / wall, bare.analysisEnd() - bare.publishEnd(), analystOverhead, mergeOverhead,
                overheads.wall(), 100 * (overheads.wall() - wall) / wall, overheads.analysisEnd() - overheads.publishEnd());
        say("ScaleSim on this host: every process's CPU on the %.2f cores left to the pipeline (%d less %.1f core-s used by everything "
                + "else over %.1f s), calls of L alone:", hostCores, cores, others, wall);
        say("%-24s %11s %11s %9s", "ScaleSim vs measured", "predicted", "measured", "error");
        double mPublish = s.apply(t.runAnswered) - phases.get(0).end();
        double mAnalysis = s.apply(analysisEnd) - s.apply(t.runAnswered);
        compare("ingest (input)", pred.ingestEnd(), phases.get(0).end());
        compare("publish", pred.publishEnd() - pred.ingestEnd(), mPublish);
        compare("analysis (to last patch)", pred.analysisEnd() - pred.publishEnd(), mAnalysis);
        double prev = pred.analysisEnd() + sim.mergeStartS();
        for (int i = 0; i < levels.size(); i++) {
            double predLevel = i < pred.mergeLevelEnds().size() ? pred.mergeLevelEnds().get(i) - prev : Double.NaN;
            if (i < pred.mergeLevelEnds().size()) {
                prev = pred.mergeLevelEnds().get(i);
            }
            Level l = levels.get(i);
            double measuredLevel = l.end() - (i == 0 ? l.start() : levels.get(i - 1).end());
            compare("merge level " + l.level(), predLevel, measuredLevel);
        }
        compare("merge (all levels)", pred.mergeTime() - sim.mergeStartS(), mergeEnd - mergeStart);
        compare("WALL", pred.wall(), wall);
        say("ScaleSim's ideal %.1f s (measured run's ideal %.1f s)", pred.ideal(), idealAnalysis + idealMerge);

        return new Result(n, t.failures, wall, List.copyOf(phases), List.copyOf(levels), idealAnalysis, idealMerge, c, calls, peaks,
                analysesSuccess, analysesError, verified, failedAnalyses, patches, t.sStar, cpuRun, rss, sim, pred, out.toString());
    }

    private void compare(String what, double predicted, double measured) {
        say("%-24s %10.2fs %10.2fs %+8.1f%%", what, predicted, measured, 100 * (predicted - measured) / measured);
    }

    /** Each service's t2s_model_latency_seconds sum and count so far (what its model calls took as it saw them). */
    private Map<String, double[]> clientLatency() {
        Map<String, double[]> out = new LinkedHashMap<>();
        List<ServiceProcess> callers = new ArrayList<>(workers);
        callers.add(merger);
        for (ServiceProcess p : callers) {
            double[] v = new double[2];
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.url() + "/q/metrics")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                for (String line : r.body().split("\n")) {
                    if (line.startsWith("t2s_model_latency_seconds_sum{")) {
                        v[0] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    } else if (line.startsWith("t2s_model_latency_seconds_count{")) {
                        v[1] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // left at zero
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.put(p.name, v);
        }
        return out;
    }

    private static long[] longs(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row: " + sql);
                }
                long[] out = new long[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = rs.getLong(i + 1);
                }
                return out;
            }
        }
    }

    // ---- HTTP ------------------------------------------------------------------------------------------------------

    private HttpResponse<String> send(String path, String type, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(ingest.url() + path)).timeout(Duration.ofSeconds(300))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String post(String path, String type, String body, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = send(path, type, body);
        if (r.statusCode() != expected) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    // ---- CPU over time -----------------------------------------------------------------------------------------------

    /** CPU milliseconds of every process (services, Kafka, PostgreSQL with its backends, this JVM) sampled every 250 ms. */
    static final class CpuSampler {
        private final List<String> names = new ArrayList<>();
        private final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>()); // [epoch ms, cpu...]
        private final Thread thread;
        private final LocalInfra infra;
        private final List<ServiceProcess> procs;
        private final RoleLatencyModelServer model;
        private final List<long[]> busy = java.util.Collections.synchronizedList(new ArrayList<>()); // [epoch ms, in flight, host busy ticks]
        private volatile boolean running = true;

        CpuSampler(LocalInfra infra, List<ServiceProcess> procs, RoleLatencyModelServer model) {
            this.infra = infra;
            this.procs = procs;
            this.model = model;
            procs.forEach(p -> names.add(p.name));
            names.add("kafka");
            names.add("postgresql");
            names.add("bench JVM");
            sample();
            thread = Thread.ofPlatform().daemon().name("cpu-sampler").start(() -> {
                while (running) {
                    java.util.concurrent.locks.LockSupport.parkNanos(250_000_000);
                    sample();
                }
            });
        }

        private void sample() {
            long[] cpu = WorkerBench.cpu(procs, infra); // each service, Kafka, PostgreSQL with its backends, this JVM
            long[] row = new long[names.size() + 1];
            row[0] = System.currentTimeMillis();
            System.arraycopy(cpu, 0, row, 1, cpu.length);
            samples.add(row);
            int inFlight = model.inFlight(PipelineModel.SUCCESS) + model.inFlight(PipelineModel.ERROR) + model.inFlight(PipelineModel.MERGE);
            busy.add(new long[]{row[0], inFlight, hostBusyTicks()});
        }

        /**
         * Per sample interval (seconds from {@code t0}, epoch ms): the model calls in flight, the host's busy cores and
         * each process's cores (CPU seconds per second), for looking into a run.
         */
        void writeCsv(Path csv, long t0) throws IOException {
            StringBuilder out = new StringBuilder("t_s,calls_in_flight,host," + String.join(",", names).replace(' ', '_') + "\n");
            synchronized (samples) {
                for (int i = 1; i < samples.size(); i++) {
                    long[] a = samples.get(i - 1);
                    long[] b = samples.get(i);
                    double dt = Math.max(1, b[0] - a[0]) / 1e3;
                    out.append(String.format(Locale.ROOT, "%.2f,%d,%.2f", (b[0] - t0) / 1e3, busy.get(i)[1], (busy.get(i)[2] - busy.get(i - 1)[2]) / 100.0 / dt));
                    for (int k = 1; k < b.length; k++) {
                        out.append(String.format(Locale.ROOT, ",%.2f", (b[k] - a[k]) / 1e3 / dt));
                    }
                    out.append('\n');
                }
            }
            Files.writeString(csv, out);
        }

        /** Busy jiffies of the whole host (all CPUs: user, nice, system, irq, softirq, steal) from /proc/stat. */
        static long hostBusyTicks() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7])
                        + Long.parseLong(f[8]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        double hostBusySeconds(long from, long to) {
            synchronized (busy) {
                long a = -1;
                long b = -1;
                for (long[] s : busy) {
                    if (a < 0 && s[0] >= from) {
                        a = s[2];
                    }
                    if (s[0] <= to) {
                        b = s[2];
                    }
                }
                return a < 0 || b < 0 ? 0 : (b - a) / 100.0;
            }
        }

        /** Mean calls in flight at the model server per interval, as a list. */
        String occupancy(long from, long to, long intervalMs) {
            int buckets = (int) Math.max(1, (to - from + intervalMs - 1) / intervalMs);
            double[] sum = new double[buckets];
            int[] count = new int[buckets];
            synchronized (busy) {
                for (long[] s : busy) {
                    int i = (int) ((s[0] - from) / intervalMs);
                    if (s[0] >= from && i < buckets) {
                        sum[i] += s[1];
                        count[i]++;
                    }
                }
            }
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < buckets; i++) {
                out.append(i == 0 ? "" : " ").append(count[i] == 0 ? "-" : Long.toString(Math.round(sum[i] / count[i])));
            }
            return out.append("]").toString();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            sample();
        }

        List<String> names() {
            return names;
        }

        /** CPU milliseconds the named process used between two epoch times (interpolated between samples). */
        double between(String name, long from, long to) {
            int i = names.indexOf(name) + 1;
            if (i == 0) {
                throw new IllegalArgumentException("no process " + name);
            }
            return at(i, to) - at(i, from);
        }

        private double at(int col, long t) {
            synchronized (samples) {
                long[] prev = samples.getFirst();
                if (t <= prev[0]) {
                    return prev[col];
                }
                for (long[] s : samples) {
                    if (s[0] >= t) {
                        double f = s[0] == prev[0] ? 1 : (t - prev[0]) / (double) (s[0] - prev[0]);
                        return prev[col] + f * (s[col] - prev[col]);
                    }
                    prev = s;
                }
                return prev[col];
            }
        }
    }
}
