package dev.trace2skill.bench;

import dev.trace2skill.infra.ServiceProcess;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.pipeline.AnalystKind;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunConfig;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.infra.LocalInfra;
import dev.trace2skill.infra.PostgresServer;
import dev.trace2skill.modelsim.LatencyModelServer;
import dev.trace2skill.modelsim.Reply;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark B (issue 4): how analyst-worker scales with worker processes when the model server is the bottleneck.
 *
 * <p>A latency-simulating OpenAI-compatible server (model-sim's {@link LatencyModelServer}: every chat completion holds
 * one of K slots for a fixed latency L, requests beyond K queue; usage is reported, estimated at ≈ 4 characters per
 * token of the real request and answer) answers every Success Analyst call with a valid patch for the frozen S0. For
 * each worker count W (1, 2, 4) a fresh real Kafka and PostgreSQL are started and W analyst-worker processes (their
 * packaged jar, one consumer group, {@code T2S_WORKER_MAX_IN_FLIGHT} = C each) are launched; once every worker is
 * ready and the group is stable with all partitions of {@code analysis-jobs} assigned, and a warm-up run has gone
 * through, N jobs in the real job format (what trace-ingest's RunLauncher publishes: key = run id + ":" + trajectory
 * id, an {@link AnalysisJob} inlining the tau-bench trajectory and S0 = the tau-bench airline policy) are published
 * to {@code analysis-jobs}, and the clock runs from the first publish until the N-th distinct patch id is read from
 * {@code skill-patches}. Each job is a success-analyst job: one model call per analysis (checked: calls served / N).
 * Printed: the wall time, the model-bound ideal ⌈N·calls / min(K, W·C)⌉·L, their ratio, and each worker's RSS.
 */
public final class WorkerBench {
    static final String GROUP = "analyst-workers";
    static final String PATCH = "{\"edits\": [{\"op\": \"append_to_section\", \"target_section\": \"Book flight\", "
            + "\"content\": \"- Confirm the number of passengers and each passenger's details before booking.\", "
            + "\"rationale\": \"the successful run confirmed them before calling book_reservation\"}]}";

    record Config(int jobs, long latencyMs, int slots, int inFlight, int partitions, int warmupPerSlot, String partitioning,
                  String workerEnv, String jvmOpts, Path logs, AnalystKind analyst) {
        /** Whether the jobs are for the offline analyser, which calls no model. */
        boolean mining() {
            return analyst == AnalystKind.MINING;
        }

        /** Model calls per analysis: one for the success analyst, none for the offline (mining) analyser. */
        int calls() {
            return mining() ? 0 : 1;
        }
    }

    record Outcome(int workers, int bound, int patches, int duplicates, int failed, long wallNanos, long idealMs, long publishNanos,
                   long firstPatchNanos, long calls, int peak, long promptTokens, long completionTokens, long readyNanos,
                   long stableNanos, List<ServiceProcess.Memory> memory, Map<String, Integer> perWorker, long[] analysisMs,
                   double queueWaitMs) {
        double efficiency() {
            return idealMs / (wallNanos / 1e6);
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("jobs", "512");
        defaults.put("workers", "1,2,4");
        defaults.put("latency-ms", "400");
        defaults.put("slots", "16");
        defaults.put("in-flight", "6");
        defaults.put("partitions", "16");
        defaults.put("warmup-per-slot", "4");
        defaults.put("partitioning", "round-robin");
        defaults.put("worker-env", "");
        defaults.put("jvm-opts", ServiceProcess.WORKER_JVM_OPTS);
        defaults.put("logs", "bench/target/bench-logs/worker");
        defaults.put("analyst", "success");
        Args args = new Args(argv, defaults, "WorkerBench: analyst-worker scaling against a latency-simulating model server");
        Config cfg = new Config(args.integer("jobs"), args.longValue("latency-ms"), args.integer("slots"), args.integer("in-flight"),
                args.integer("partitions"), args.integer("warmup-per-slot"), args.get("partitioning"), args.get("worker-env"), args.get("jvm-opts"), Path.of(args.get("logs")).toAbsolutePath(),
                analyst(args.get("analyst")));
        List<Integer> counts = args.integers("workers");
        for (int w : counts) {
            if (w > cfg.partitions()) {
                throw new IllegalArgumentException(w + " workers need at least as many partitions (--partitions)");
            }
        }

        List<Trajectory> successes = TauBench.trajectories().stream().filter(Trajectory::successful).toList();
        SkillBundle s0 = SkillBundle.ofText("airline", Map.of("SKILL.md", TauBench.skillMd()));
        SkillSnapshot snapshot = SkillSnapshot.of(s0, 1);
        System.out.printf("jobs: N = %d %s jobs over the %d successful tau-bench trajectories (%d model call%s per analysis), S0 = airline policy (%d chars)%n",
                cfg.jobs(), cfg.mining() ? "offline (mining, no model)" : "success-analyst", successes.size(),
                cfg.calls(), cfg.calls() == 1 ? "" : "s", TauBench.skillMd().length());
        System.out.printf("model: L = %d ms per call, K = %d slots; workers: C = %d analyses in flight each (T2S_WORKER_MAX_IN_FLIGHT), %d partitions%n",
                cfg.latencyMs(), cfg.slots(), cfg.inFlight(), cfg.partitions());
        System.out.printf("machine: %d cores, load average %s; worker JVM %s%n", Runtime.getRuntime().availableProcessors(),
                IngestBench.loadAverage(), cfg.jvmOpts());

        List<Outcome> outcomes = new ArrayList<>();
        for (int w : counts) {
            outcomes.add(runOnce(w, cfg, successes, snapshot));
        }
        print(cfg, outcomes);
    }

    static Outcome runOnce(int workers, Config cfg, List<Trajectory> successes, SkillSnapshot snapshot) throws Exception {
        System.out.printf("%n--- %d worker%s ---%n", workers, workers == 1 ? "" : "s");
        Path dir = LocalInfra.tempDir();
        List<ServiceProcess> procs = new ArrayList<>();
        try (LocalInfra infra = LocalInfra.start(dir, 0, 0, false);
             LatencyModelServer model = LatencyModelServer.start(0, Duration.ofMillis(cfg.latencyMs()), cfg.slots(), r -> Reply.text(PATCH))) {
            try {
                return measure(workers, cfg, successes, snapshot, infra, model, procs);
            } finally {
                for (ServiceProcess p : procs) {
                    p.close(); // before Kafka and PostgreSQL stop
                }
            }
        } finally {
            LocalInfra.deleteTree(dir);
        }
    }

    static Outcome measure(int workers, Config cfg, List<Trajectory> successes, SkillSnapshot snapshot, LocalInfra infra,
                           LatencyModelServer model, List<ServiceProcess> procs) throws Exception {
        String bootstrap = infra.kafka().bootstrapServers();
        infra.postgres().createDatabase("t2s_bench");
        createTopics(bootstrap, cfg.partitions());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("T2S_DATASOURCE_JDBC_URL", infra.postgres().jdbcUrl("t2s_bench"));
        env.put("T2S_DATASOURCE_USERNAME", PostgresServer.USER);
        env.put("T2S_API_TOKEN", "bench-token");
        env.put("T2S_MODEL_BASE_URL", model.baseUrl());
        env.put("T2S_MODEL_NAME", "simulated");
        env.put("T2S_WORKER_MAX_IN_FLIGHT", Integer.toString(cfg.inFlight()));
        env.put("T2S_TOPICS_ANALYSIS_PARTITIONS", Integer.toString(cfg.partitions()));
        env.put("T2S_TOPICS_PARTITIONS", "8");
        for (String kv : cfg.workerEnv().split(",")) {
            if (kv.contains("=")) {
                env.put(kv.substring(0, kv.indexOf('=')).strip(), kv.substring(kv.indexOf('=') + 1).strip());
            }
        }

        long launch = System.nanoTime();
        for (int i = 1; i <= workers; i++) {
            Map<String, String> e = new LinkedHashMap<>(env);
            e.put("HOSTNAME", "bench-worker-" + i);
            procs.add(ServiceProcess.start("analyst-worker", "analyst-worker-" + workers + "w-" + i, e, cfg.jvmOpts(), cfg.logs()));
        }
        for (ServiceProcess p : procs) {
            p.awaitReady(Duration.ofSeconds(180));
        }
        long ready = System.nanoTime() - launch;
        awaitStableGroup(bootstrap, workers, cfg.partitions(), Duration.ofSeconds(120));
        long stable = System.nanoTime() - launch;
        System.out.printf("%d worker process%s ready after %.1f s; group %s stable with all %d partitions assigned after %.1f s%n",
                workers, workers == 1 ? "" : "es", ready / 1e9, GROUP, cfg.partitions(), stable / 1e9);

        try (PatchCollector patches = new PatchCollector(bootstrap);
             KafkaProducer<String, String> producer = producer(bootstrap)) {
            int warm = cfg.warmupPerSlot() * Stats.bound(cfg.slots(), workers, cfg.inFlight());
            String warmRun = "warmup-" + workers + "w-" + Long.toString(System.currentTimeMillis(), 36);
            List<ProducerRecord<String, String>> warmJobs = jobs(warmRun, warm, successes, snapshot, cfg);
            long w0 = System.nanoTime();
            warmJobs.forEach(producer::send);
            producer.flush();
            patches.await(warmRun, warm, Duration.ofSeconds(180));
            System.out.printf("warm-up: %d jobs analysed in %.1f s%n", warm, (System.nanoTime() - w0) / 1e9);

            String run = "bench-" + workers + "w-" + Long.toString(System.currentTimeMillis(), 36);
            List<ProducerRecord<String, String>> jobs = jobs(run, cfg.jobs(), successes, snapshot, cfg);
            model.resetPeak();
            long served0 = model.served();
            Duration wait0 = model.queueWait();
            long[] cpu0 = cpu(procs, infra);
            long t0 = System.nanoTime();
            Utilisation util = new Utilisation(model, t0);
            for (ProducerRecord<String, String> r : jobs) {
                producer.send(r);
            }
            producer.flush();
            long published = System.nanoTime() - t0;
            long idealMs = Stats.idealMillis(cfg.jobs(), cfg.calls(), cfg.slots(), workers, cfg.inFlight(), cfg.latencyMs());
            Duration timeout = Duration.ofMillis(Math.max(120_000, idealMs * 5));
            Map<String, PatchCollector.Seen> seen = patches.await(run, cfg.jobs(), timeout);
            long last = seen.values().stream().mapToLong(PatchCollector.Seen::at).max().orElse(t0);
            long first = seen.values().stream().mapToLong(PatchCollector.Seen::at).min().orElse(t0);
            util.stop();
            long[] cpu1 = cpu(procs, infra);
            long calls = model.served() - served0;
            double queueWaitMs = (model.queueWait().toNanos() - wait0.toNanos()) / 1e6 / Math.max(1, calls);
            List<ServiceProcess.Memory> memory = procs.stream().map(ServiceProcess::memory).toList();
            for (ServiceProcess p : procs) {
                p.saveMetrics(); // /q/metrics beside the log, for looking into a run afterwards
            }
            Map<String, Integer> perWorker = new TreeMap<>();
            long prompt = 0;
            long completion = 0;
            int failed = 0;
            for (PatchCollector.Seen s : seen.values()) {
                perWorker.merge(s.result().worker(), 1, Integer::sum);
                if (s.result().usage() != null) {
                    prompt += s.result().usage().promptTokens();
                    completion += s.result().usage().completionTokens();
                }
                failed += s.result().proposed() ? 0 : 1;
            }
            Outcome o = new Outcome(workers, Stats.bound(cfg.slots(), workers, cfg.inFlight()), seen.size(), patches.duplicates(run),
                    failed, last - t0, idealMs, published, first - t0, calls, model.peakConcurrency(), prompt, completion, ready, stable,
                    memory, perWorker, Stats.sorted(seen.values().stream().map(v -> v.result().latencyMillis()).toList()), queueWaitMs);
            System.out.printf("%d patches (%d failed, %d redelivered duplicates) in %.2f s; ideal %.2f s; efficiency %.3f; "
                            + "published in %.2f s, first patch after %.2f s; model calls %d, peak %d concurrent%n",
                    o.patches(), failed, o.duplicates(), o.wallNanos() / 1e9, idealMs / 1e3, o.efficiency(), published / 1e9,
                    o.firstPatchNanos() / 1e9, calls, o.peak());
            System.out.println("patches per worker: " + perWorker);
            System.out.printf("analysis time (worker-side, model call included): p50 %d ms, p99 %d ms, max %d ms; mean wait for a model slot %.1f ms%n",
                    Stats.percentile(o.analysisMs(), 50), Stats.percentile(o.analysisMs(), 99), Stats.percentile(o.analysisMs(), 100), queueWaitMs);
            long workerCpu = 0;
            for (int i = 0; i < procs.size(); i++) {
                workerCpu += cpu1[i] - cpu0[i];
            }
            int k = procs.size();
            System.out.printf("CPU during the run: workers %.1f s (%.1f ms per analysis), Kafka %.1f s, PostgreSQL %.1f s, "
                            + "this JVM (model server, publisher, collector) %.1f s; wall %.1f s on %d cores%n",
                    workerCpu / 1e3, workerCpu / (double) cfg.jobs(), (cpu1[k] - cpu0[k]) / 1e3, (cpu1[k + 1] - cpu0[k + 1]) / 1e3,
                    (cpu1[k + 2] - cpu0[k + 2]) / 1e3, (last - t0) / 1e9, Runtime.getRuntime().availableProcessors());
            System.out.println("model slots busy, mean per interval of L from the first publish: " + util.profile(cfg.latencyMs(), last - t0));
            if (seen.size() < cfg.jobs()) {
                System.out.printf("INCOMPLETE: only %d of %d patches within %s%n", seen.size(), cfg.jobs(), timeout);
            }
            return o;
        }
    }

    /** CPU milliseconds so far: each worker, then Kafka, PostgreSQL (postmaster and its children), this JVM. */
    static long[] cpu(List<ServiceProcess> procs, LocalInfra infra) {
        long[] out = new long[procs.size() + 3];
        for (int i = 0; i < procs.size(); i++) {
            out[i] = procs.get(i).cpuMillis();
        }
        out[procs.size()] = ServiceProcess.cpuMillis(infra.kafka().pid());
        long pgPid = infra.postgres().pid();
        long pg = ServiceProcess.cpuMillis(pgPid);
        for (ProcessHandle h : ProcessHandle.of(pgPid).map(p -> p.descendants().toList()).orElse(List.of())) {
            pg += Math.max(0, ServiceProcess.cpuMillis(h.pid()));
        }
        out[procs.size() + 1] = pg;
        out[procs.size() + 2] = ServiceProcess.cpuMillis(ProcessHandle.current().pid());
        return out;
    }

    /** Samples the model server's busy slots every 5 ms, to show where a run left slots idle. */
    static final class Utilisation {
        private final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private final long t0;
        private volatile boolean running = true;

        Utilisation(LatencyModelServer model, long t0) {
            this.t0 = t0;
            thread = Thread.ofPlatform().daemon().name("utilisation").start(() -> {
                while (running) {
                    samples.add(new long[]{System.nanoTime() - t0, model.inFlight()});
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            });
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        String profile(long intervalMs, long untilNanos) {
            long interval = intervalMs * 1_000_000;
            int buckets = (int) ((untilNanos + interval - 1) / interval);
            double[] sum = new double[buckets];
            int[] n = new int[buckets];
            synchronized (samples) {
                for (long[] s : samples) {
                    int b = (int) (s[0] / interval);
                    if (b < buckets) {
                        sum[b] += s[1];
                        n[b]++;
                    }
                }
            }
            StringBuilder sb = new StringBuilder();
            for (int b = 0; b < buckets; b++) {
                sb.append(b == 0 ? "" : " ").append(n[b] == 0 ? "-" : String.format("%.1f", sum[b] / n[b]));
            }
            return sb.toString();
        }
    }

    /**
     * Jobs as trace-ingest's RunLauncher builds and spreads them: key run id + ":" + trajectory id, S0 and the trajectory
     * inlined, round-robin over the partitions from a random start ({@code --partitioning key}: by the key's hash).
     */
    static List<ProducerRecord<String, String>> jobs(String runId, int n, List<Trajectory> successes, SkillSnapshot snapshot, Config cfg) {
        RunConfig config = new RunConfig(EvolutionMode.DEEPENING, AnalystSelection.SUCCESS, cfg.mining() ? AnalysisEngine.MINING : AnalysisEngine.LLM,
                0, 0, null, null, null);
        List<ProducerRecord<String, String>> out = new ArrayList<>(n);
        int first = java.util.concurrent.ThreadLocalRandom.current().nextInt(cfg.partitions());
        for (int i = 0; i < n; i++) {
            Trajectory t = successes.get(i % successes.size());
            t = t.withId(t.id() + "-j" + i);
            String key = Topics.jobKey(runId, t.id());
            AnalysisJob job = new AnalysisJob(key, runId, cfg.analyst(), snapshot, t, config, n);
            // round-robin from a random start, as RunLauncher spreads a run's jobs; "key" hashes the job key instead
            Integer partition = cfg.partitioning().equals("round-robin") ? (first + i) % cfg.partitions() : null;
            out.add(new ProducerRecord<>(Topics.ANALYSIS_JOBS, partition, key, Json.write(job)));
        }
        return out;
    }

    /**
     * {@code success} (the default): success-analyst jobs, one model call each. {@code mining}: the same jobs for the
     * offline analyser, which calls no model — what the worker costs around an analysis (consume, ledger, publish,
     * commit) with the model call, the prompt and the patch check taken away.
     */
    static AnalystKind analyst(String name) {
        return switch (name) {
            case "success" -> AnalystKind.SUCCESS;
            case "mining" -> AnalystKind.MINING;
            default -> throw new IllegalArgumentException("--analyst is success or mining, not " + name);
        };
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        // as the services' outgoing channels (RunLauncher's analysis-jobs emitter): acks=all, idempotent, lz4, linger 5 ms
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024), new StringSerializer(), new StringSerializer());
    }

    static void createTopics(String bootstrap, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(Topics.ANALYSIS_JOBS, partitions, (short) 1),
                    new NewTopic(Topics.SKILL_PATCHES, 8, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Until the consumer group has {@code members} members that between them hold every analysis-jobs partition. */
    static void awaitStableGroup(String bootstrap, int members, int partitions, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long end = System.nanoTime() + timeout.toNanos();
            String last = "";
            while (System.nanoTime() < end) {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP);
                int assigned = 0;
                int holders = 0;
                for (MemberDescription m : g.members()) {
                    long mine = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.ANALYSIS_JOBS)).count();
                    assigned += (int) mine;
                    holders += mine > 0 ? 1 : 0;
                }
                last = g.groupState() + ", " + g.members().size() + " members, " + holders + " holding " + assigned + " partitions";
                if (g.groupState() == GroupState.STABLE && holders == members && assigned == partitions) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("consumer group " + GROUP + " not stable with " + members + " members within " + timeout + ": " + last);
        }
    }

    /** Reads skill-patches from its end (assigned before any job is published) and notes when each patch id first arrived. */
    static final class PatchCollector implements AutoCloseable {
        record Seen(long at, PatchResult result) {
        }

        private final Map<String, Map<String, Seen>> byRun = new ConcurrentHashMap<>();
        private final Map<String, AtomicLong> duplicates = new ConcurrentHashMap<>();
        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        PatchCollector(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024), new StringDeserializer(), new StringDeserializer());
            List<TopicPartition> parts = consumer.partitionsFor(Topics.SKILL_PATCHES, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(Topics.SKILL_PATCHES, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end offsets now, before anything is published
            thread = Thread.ofPlatform().name("patch-collector").daemon().start(this::loop);
        }

        private void loop() {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    PatchResult p = Json.read(r.value(), PatchResult.class);
                    Map<String, Seen> run = byRun.computeIfAbsent(p.runId(), k -> new ConcurrentHashMap<>());
                    if (run.putIfAbsent(p.patchId(), new Seen(now, p)) != null) {
                        duplicates.computeIfAbsent(p.runId(), k -> new AtomicLong()).incrementAndGet();
                    }
                }
            }
        }

        Map<String, Seen> await(String runId, int n, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                Map<String, Seen> run = byRun.get(runId);
                if (run != null && run.size() >= n) {
                    return Map.copyOf(run);
                }
                Thread.sleep(5);
            }
            return Map.copyOf(byRun.getOrDefault(runId, Map.of()));
        }

        int duplicates(String runId) {
            AtomicLong d = duplicates.get(runId);
            return d == null ? 0 : (int) d.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5_000);
            consumer.close(Duration.ofSeconds(5));
        }
    }

    static void print(Config cfg, List<Outcome> outcomes) {
        System.out.println();
        System.out.printf("Benchmark B - analyst-worker scaling: N = %d jobs, %d model call(s) per analysis, L = %d ms, K = %d slots, C = %d in flight per worker%n",
                cfg.jobs(), cfg.calls(), cfg.latencyMs(), cfg.slots(), cfg.inFlight());
        System.out.println("wall = first job published -> last (N-th distinct) patch read from skill-patches; measured after all workers were ready,");
        System.out.println("the consumer group was stable with every partition assigned, and a warm-up run; ideal = ceil(N * calls / min(K, W * C)) * L");
        System.out.printf("| %7s | %9s | %6s | %7s | %8s | %8s | %10s | %9s | %8s | %-28s | %s%n", "workers", "min(K,WC)", "jobs", "patches",
                "wall s", "ideal s", "efficiency", "peak conc", "calls/N", "RSS MiB per worker (peak)", "patches per worker");
        System.out.println("|" + "-".repeat(9) + "|" + "-".repeat(11) + "|" + "-".repeat(8) + "|" + "-".repeat(9) + "|" + "-".repeat(10) + "|"
                + "-".repeat(10) + "|" + "-".repeat(12) + "|" + "-".repeat(11) + "|" + "-".repeat(10) + "|" + "-".repeat(30) + "|" + "-".repeat(20));
        for (Outcome o : outcomes) {
            StringBuilder rss = new StringBuilder();
            for (ServiceProcess.Memory m : o.memory()) {
                rss.append(rss.isEmpty() ? "" : ", ").append(m.rssMiB()).append(" (").append(m.hwmMiB()).append(")");
            }
            System.out.printf("| %7d | %9d | %6d | %7d | %8.2f | %8.2f | %10.3f | %9d | %8.2f | %-28s | %s%n", o.workers(), o.bound(), cfg.jobs(),
                    o.patches(), o.wallNanos() / 1e9, o.idealMs() / 1e3, o.efficiency(), o.peak(), o.calls() / (double) cfg.jobs(), rss,
                    o.perWorker().values());
        }
        Outcome top = outcomes.stream().filter(o -> o.workers() == 4).findFirst().orElse(outcomes.get(outcomes.size() - 1));
        System.out.printf("%nefficiency at %d workers: %.3f   target >= 0.95: %s%n", top.workers(), top.efficiency(),
                top.efficiency() >= 0.95 && top.patches() == cfg.jobs() ? "MET" : "MISSED");
        for (Outcome o : outcomes) {
            System.out.printf("W=%d: publishing took %.2f s, first patch after %.2f s, tokens reported %d prompt + %d completion (%.0f per analysis), "
                            + "%d failed analyses, %d duplicate patches; ready %.1f s / group stable %.1f s after launch%n",
                    o.workers(), o.publishNanos() / 1e9, o.firstPatchNanos() / 1e9, o.promptTokens(), o.completionTokens(),
                    (o.promptTokens() + o.completionTokens()) / (double) Math.max(1, o.patches()), o.failed(), o.duplicates(),
                    o.readyNanos() / 1e9, o.stableNanos() / 1e9);
        }
    }
}
