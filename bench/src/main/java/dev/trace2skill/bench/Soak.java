package dev.trace2skill.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.infra.KafkaBroker;
import dev.trace2skill.infra.LocalInfra;
import dev.trace2skill.infra.Ports;
import dev.trace2skill.infra.PostgresServer;
import dev.trace2skill.infra.Processes;
import dev.trace2skill.infra.ServiceProcess;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak (issue 17): the pipeline under mixed valid and hostile traffic while its processes are killed, then checked.
 *
 * <p>A fresh Kafka broker and PostgreSQL, trace-ingest ({@code -Xmx256m}), one analyst-worker ({@code -Xmx256m}) and the
 * merger ({@code -Xmx384m}) as real processes from their packaged jars, every JVM with {@code -XX:+ExitOnOutOfMemoryError}
 * (an out-of-memory error ends the process, and the soak sees it). For the configured duration:
 * <ul>
 *   <li>valid pushes: NDJSON batches of 20 trajectories, one in ten with a trajectory of ~300 KB (its jobs go by
 *       reference); a batch refused with 503 is sent again after its {@code Retry-After};</li>
 *   <li>hostile requests: malformed lines beside valid ones, a record over the byte limit, 1,001 distinct tool names,
 *       malformed JSON, invalid run requests, a run on a missing skill — and once, the issue's 50 MB record of 2.5 million
 *       small steps, and twice four concurrent 9.5 MB NDJSON lines;</li>
 *   <li>runs (offline engine, merge window 10 s idle, 60 s at most) every few seconds over the datasets pushed so far;</li>
 *   <li>chaos: the worker killed (SIGKILL) and restarted twice, the merger killed and restarted twice, and Kafka stopped
 *       for 15 s (readiness of every service must answer within a second with 503 meanwhile; a run started during the
 *       outage must end as well).</li>
 * </ul>
 * Then the traffic stops and the soak waits for every run to end, and checks: every trajectory whose upload was
 * accepted is stored; every run is done, or failed with a reason; no request got a 5xx other than 503 with
 * Retry-After; no service died other than by the soak's hand; and the services' resident memory stayed bounded
 * (sampled every 2 s, printed). {@code --minutes 30} by hand; the e2e suite runs a 2-minute one.
 *
 * <pre>
 * $JAVA_HOME/bin/java -cp "bench/target/classes:bench/target/lib/*" dev.trace2skill.bench.Soak --minutes 30
 * </pre>
 */
public final class Soak {
    static final String TOKEN = "soak-token";
    static final Duration READINESS_LIMIT = Duration.ofSeconds(1);

    /**
     * @param duration   how long traffic runs
     * @param logs       the services' logs and the report
     * @param rssLimitMiB resident memory any one service may reach
     */
    public record Config(Duration duration, Path logs, String ingestJvm, String workerJvm, String mergerJvm, long seed, long rssLimitMiB) {
        public static Config of(Duration duration, Path logs) {
            String common = " -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";
            return new Config(duration, logs, "-Xmx256m" + common, "-Xmx256m" + common, "-Xmx384m" + common, 17, 900);
        }
    }

    /** What the soak saw. {@link #problems()} is empty when it passed. */
    public record Report(Duration duration, int batchesAccepted, int trajectoriesAccepted, long trajectoriesStored,
                         Map<Integer, Integer> statuses, int retriedAfter503, List<String> unexpected,
                         Map<String, Integer> runsByStatus, List<String> runsWithoutReason, List<String> runsNotEnded,
                         Map<String, Long> peakRssMiB, List<String> deaths, List<Long> readinessMillis, List<String> readinessProblems,
                         int kills, String outageRun, List<String> problems) {
        public boolean passed() {
            return problems.isEmpty();
        }

        public String text() {
            StringBuilder s = new StringBuilder();
            s.append("soak: ").append(duration.toSeconds()).append(" s of traffic, ").append(kills).append(" kills, one Kafka outage\n");
            s.append("  uploads: ").append(batchesAccepted).append(" valid batches accepted, ").append(trajectoriesAccepted)
                    .append(" trajectories accepted, ").append(trajectoriesStored).append(" of them stored; ").append(retriedAfter503)
                    .append(" requests sent again after 503 + Retry-After\n");
            s.append("  HTTP statuses: ").append(new TreeMap<>(statuses)).append('\n');
            s.append("  runs: ").append(new TreeMap<>(runsByStatus)).append("; the run started during the Kafka outage: ").append(outageRun).append('\n');
            s.append("  readiness during the outage (ms): ").append(readinessMillis).append('\n');
            s.append("  peak RSS (MiB): ").append(new TreeMap<>(peakRssMiB)).append('\n');
            if (!problems.isEmpty()) {
                s.append("  PROBLEMS:\n");
                problems.forEach(p -> s.append("   - ").append(p).append('\n'));
            } else {
                s.append("  passed: every accepted trajectory stored, every run ended with a reason, no 5xx but 503, no crash\n");
            }
            return s.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, Map.of("minutes", "30", "logs", "bench/target/soak-logs"),
                "Soak: mixed valid and hostile traffic with kills and a Kafka outage, then checked (issue 17)");
        Duration duration = Duration.ofMinutes(a.integer("minutes"));
        Path logs = Path.of(a.get("logs"));
        Report r = run(Config.of(duration, logs));
        System.out.println(r.text());
        System.exit(r.passed() ? 0 : 1);
    }

    private final Config config;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final Random random;
    private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final List<String> runs = new CopyOnWriteArrayList<>();
    private final List<String> datasets = new CopyOnWriteArrayList<>();
    private final Map<String, Long> peakRss = new ConcurrentHashMap<>();
    private final List<String> deaths = new CopyOnWriteArrayList<>();
    private final List<Long> readiness = new CopyOnWriteArrayList<>();
    private final List<String> readinessProblems = new CopyOnWriteArrayList<>();
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong validSeq = new AtomicLong();
    private final AtomicBoolean traffic = new AtomicBoolean(true);
    private volatile boolean kafkaDown;
    private volatile String outageRun = "(none)";

    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    private final Set<Long> killedPids = ConcurrentHashMap.newKeySet();
    private Map<String, String> env;
    private Path dir;
    private KafkaBroker kafka;
    private int kafkaPort;
    private PostgresServer postgres;
    private String jdbc;

    private Soak(Config config) {
        this.config = config;
        this.random = new Random(config.seed());
    }

    public static Report run(Config config) throws Exception {
        return new Soak(config).go();
    }

    private Report go() throws Exception {
        Files.createDirectories(config.logs());
        dir = LocalInfra.tempDir();
        kafkaPort = Ports.free();
        try {
            kafka = KafkaBroker.start(dir.resolve("kafka"), kafkaPort, false, LocalInfra.START_TIMEOUT);
            postgres = PostgresServer.start(dir.resolve("postgres"), Ports.free(), false, LocalInfra.START_TIMEOUT);
            postgres.createDatabase("t2s_soak");
            jdbc = postgres.jdbcUrl("t2s_soak");
            env = new HashMap<>(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "T2S_DATASOURCE_JDBC_URL", jdbc,
                    "T2S_DATASOURCE_USERNAME", PostgresServer.USER,
                    "T2S_API_TOKEN", TOKEN,
                    "T2S_TOPICS_ANALYSIS_PARTITIONS", "8",
                    "T2S_TOPICS_PARTITIONS", "2",
                    "T2S_MERGER_SIMILARITY_ENABLED", "false",
                    "T2S_MODEL_BASE_URL", "http://127.0.0.1:" + Ports.free() + "/v1"));
            env.put("T2S_RUNS_PUBLISH_RETRY_DELAY", "5s");
            env.put("T2S_RUNS_WATCHDOG_INTERVAL", "2s");
            env.put("T2S_HEALTH_KAFKA_INTERVAL", "1s");
            start("trace-ingest", "trace-ingest", config.ingestJvm(), Map.of());
            services.get("trace-ingest").awaitReady(Duration.ofSeconds(180));
            start("analyst-worker", "analyst-worker", config.workerJvm(), Map.of("T2S_INGEST_URL", services.get("trace-ingest").url()));
            start("merger", "merger", config.mergerJvm(), Map.of());
            for (ServiceProcess s : services.values()) {
                s.awaitReady(Duration.ofSeconds(180));
            }
            post("/v1/skills", "application/json", Json.write(Map.of("name", "soak", "files", Map.of("SKILL.md",
                    "---\nname: soak\ndescription: Handles soak-test tasks.\n---\n# Soak\n\n## Rules\n- Look before acting.\n"))));
            return soak();
        } finally {
            traffic.set(false);
            for (ServiceProcess s : services.values()) {
                s.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (postgres != null) {
                postgres.close();
            }
            LocalInfra.deleteTree(dir);
        }
    }

    private void start(String module, String name, String jvm, Map<String, String> extra) {
        Map<String, String> e = new HashMap<>(env);
        e.putAll(extra);
        String instance = name + (services.containsKey(name) ? "-" + System.currentTimeMillis() : "");
        services.put(name, ServiceProcess.start(module, instance, e, jvm, config.logs()));
    }

    private Report soak() throws Exception {
        long start = System.nanoTime();
        long end = start + config.duration().toNanos();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> loops = new ArrayList<>();
        loops.add(pool.submit(() -> loop(end, 50, this::validBatch)));
        loops.add(pool.submit(() -> loop(end, 1_500, this::hostile)));
        loops.add(pool.submit(() -> loop(end, Math.max(6_000, config.duration().toMillis() / 40), this::startRun)));
        loops.add(pool.submit(() -> loop(end, 2_000, this::sampleMemory)));
        // the chaos, at fractions of the duration
        List<Map.Entry<Double, Runnable>> chaos = List.of(
                Map.entry(0.05, this::hugeRecord),
                Map.entry(0.15, () -> kill("analyst-worker")),
                Map.entry(0.30, () -> kill("merger")),
                Map.entry(0.40, this::concurrentLargeBodies),
                Map.entry(0.50, this::kafkaOutage),
                Map.entry(0.65, () -> kill("analyst-worker")),
                Map.entry(0.75, this::concurrentLargeBodies),
                Map.entry(0.80, () -> kill("merger")));
        for (Map.Entry<Double, Runnable> c : chaos) {
            long at = start + (long) (config.duration().toNanos() * c.getKey());
            sleepUntil(at);
            try {
                c.getValue().run();
            } catch (RuntimeException e) {
                unexpected.add("chaos step failed: " + e);
            }
        }
        sleepUntil(end);
        traffic.set(false);
        for (Future<?> f : loops) {
            f.get();
        }
        pool.shutdown();
        System.out.printf("soak: traffic stopped after %d s; waiting for %d runs to end%n", (System.nanoTime() - start) / 1_000_000_000L, runs.size());
        Map<String, Integer> byStatus = new LinkedHashMap<>();
        List<String> withoutReason = new ArrayList<>();
        List<String> notEnded = awaitRunsEnded(Duration.ofSeconds(240), byStatus, withoutReason);
        sampleMemory();
        long stored = storedCount();
        for (Map.Entry<String, ServiceProcess> s : services.entrySet()) {
            if (!Processes.alive(s.getValue().pid())) {
                deaths.add(s.getKey() + " is not running at the end: " + Processes.tail(s.getValue().log, 20));
            }
        }
        List<String> problems = new ArrayList<>(unexpected);
        if (stored != accepted.size()) {
            problems.add(accepted.size() - stored + " accepted trajectories are not stored");
        }
        notEnded.forEach(r -> problems.add("run not ended: " + r));
        withoutReason.forEach(r -> problems.add("run failed without a reason: " + r));
        problems.addAll(deaths);
        problems.addAll(readinessProblems);
        peakRss.forEach((name, mib) -> {
            if (mib > config.rssLimitMiB()) {
                problems.add(name + " reached " + mib + " MiB resident, more than " + config.rssLimitMiB());
            }
        });
        if (runs.isEmpty()) {
            problems.add("no run was started");
        }
        Report r = new Report(config.duration(), batches.get(), accepted.size(), stored, new TreeMap<>(statuses), retried.get(),
                List.copyOf(unexpected), byStatus, withoutReason, notEnded, new TreeMap<>(peakRss), List.copyOf(deaths),
                List.copyOf(readiness), List.copyOf(readinessProblems), kills.get(), outageRun, problems);
        Files.writeString(config.logs().resolve("soak-report.txt"), r.text());
        return r;
    }

    // ---- traffic --------------------------------------------------------------------------------------------------

    private void loop(long end, long periodMs, Runnable step) {
        while (traffic.get() && System.nanoTime() < end) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (!kafkaDown) {
                    unexpected.add("traffic step failed: " + e);
                }
            }
            sleep(periodMs);
        }
    }

    /** A trajectory: small, or with one observation of {@code observationChars}. */
    String trajectory(String id, int steps, int observationChars, boolean success) {
        StringBuilder sb = new StringBuilder(observationChars + 400).append("{\"id\":\"").append(id).append("\",\"taskId\":\"task-")
                .append(id.hashCode() % 40).append("\",\"query\":\"soak task ").append(id).append("\",\"outcome\":{\"success\":")
                .append(success).append("},\"steps\":[");
        String[] tools = {"search", "lookup", "book", "refund", "cancel"};
        for (int i = 0; i < steps; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"reasoning\":\"step ").append(i).append("\",\"action\":{\"tool\":\"")
                    .append(tools[(i + id.length()) % tools.length]).append("\",\"arguments\":{\"n\":").append(i).append("}},\"observation\":\"");
            if (i == steps - 1 && observationChars > 0) {
                sb.append("x".repeat(observationChars));
            } else {
                sb.append(success || i < steps - 1 ? "ok" : "Error: not found");
            }
            sb.append("\"}");
        }
        return sb.append("],\"finalAnswer\":\"done\"}").toString();
    }

    private void validBatch() {
        long n = validSeq.incrementAndGet();
        String dataset = "soak-" + (n / 10);
        List<String> ids = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String id = "soak-v" + n + "-" + i;
            ids.add(id);
            boolean large = n % 10 == 0 && i == 0;
            body.append(trajectory(id, 2 + (i % 4), large ? 300_000 : 0, i % 3 != 0)).append('\n');
        }
        HttpResponse<String> r = sendWithRetry("/v1/trajectories?dataset=" + dataset, "application/x-ndjson", body.toString());
        if (r != null && (r.statusCode() == 200 || r.statusCode() == 201)) {
            JsonNode report = read(r.body());
            if (report.path("accepted").asInt() + report.path("duplicates").asInt() == 20) {
                accepted.addAll(ids);
                batches.incrementAndGet();
                if (n % 10 == 9 && !datasets.contains(dataset)) {
                    datasets.add(dataset);
                }
            } else {
                unexpected.add("a valid batch was not accepted whole: " + r.body());
            }
        } else if (r != null) {
            unexpected.add("a valid batch got " + r.statusCode() + ": " + abbreviate(r.body()));
        }
    }

    private int hostileStep;

    private void hostile() {
        long n = seq.incrementAndGet();
        switch (hostileStep++ % 6) {
            case 0 -> {
                // a malformed line between two valid ones: the valid ones are stored, the bad one named
                String a = "soak-h" + n + "-a";
                String b = "soak-h" + n + "-b";
                HttpResponse<String> r = sendWithRetry("/v1/trajectories?dataset=soak-hostile", "application/x-ndjson",
                        trajectory(a, 2, 0, true) + "\n{\"id\": \"broken\", \"query\": \n" + trajectory(b, 2, 0, false) + "\n");
                if (expect(r, 200) && read(r.body()).path("accepted").asInt() == 2) {
                    accepted.add(a);
                    accepted.add(b);
                }
            }
            case 1 -> {
                // over the byte limit (10 MB), beside a valid one
                String ok = "soak-h" + n + "-ok";
                HttpResponse<String> r = sendWithRetry("/v1/trajectories?dataset=soak-hostile", "application/x-ndjson",
                        trajectory("soak-h" + n + "-big", 2, 10_600_000, true) + "\n" + trajectory(ok, 1, 0, true) + "\n");
                if (expect(r, 200) && read(r.body()).path("rejected").path(0).path("status").asInt() == 413) {
                    accepted.add(ok);
                }
            }
            case 2 -> {
                StringBuilder tools = new StringBuilder("{\"id\":\"soak-h" + n + "-tools\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[");
                for (int i = 0; i < 1_001; i++) {
                    tools.append(i == 0 ? "" : ",").append("{\"action\":{\"tool\":\"t").append(i).append("\"}}");
                }
                expect(sendWithRetry("/v1/trajectories?dataset=soak-hostile", "application/x-ndjson", tools + "]}\n"), 413);
            }
            case 3 -> expect(sendWithRetry("/v1/runs", "application/json",
                    "{\"skill\":\"soak@1\",\"trajectories\":{\"dataset\":\"soak-1\",\"limit\":0}}"), 400);
            case 4 -> expect(sendWithRetry("/v1/runs", "application/json",
                    "{\"skill\":\"missing@1\",\"trajectories\":{\"dataset\":\"soak-1\"}}"), 404);
            default -> expect(sendWithRetry("/v1/trajectories?dataset=soak-hostile", "application/json", "[{\"id\": 5}, {"), 422);
        }
    }

    /** The issue's one record of 2.5 million small steps (50 MB): a 413 while it streams in, never a 500. */
    private void hugeRecord() {
        StringBuilder sb = new StringBuilder(50_000_200).append("{\"id\":\"soak-huge\",\"query\":\"q\",\"outcome\":{\"success\":true},\"steps\":[");
        for (int i = 0; i < 2_500_000; i++) {
            sb.append(i == 0 ? "{\"observation\":\"x\"}" : ",{\"observation\":\"x\"}");
        }
        sb.append("]}\n");
        long t0 = System.nanoTime();
        HttpResponse<String> r = sendWithRetry("/v1/trajectories?dataset=soak-hostile", "application/x-ndjson", sb.toString());
        System.out.printf("soak: the 50 MB record of 2.5 M steps: %s in %d ms%n", r == null ? "no answer" : r.statusCode(),
                (System.nanoTime() - t0) / 1_000_000);
        expect(r, 413);
    }

    /** Four concurrent 9.5 MB NDJSON lines (each a valid trajectory of ten ~950 KB observations). */
    private void concurrentLargeBodies() {
        List<Thread> threads = new ArrayList<>();
        long n = seq.incrementAndGet();
        for (int k = 0; k < 4; k++) {
            String id = "soak-large-" + n + "-" + k;
            threads.add(Thread.ofVirtual().start(() -> {
                StringBuilder sb = new StringBuilder(10_000_000).append("{\"id\":\"").append(id)
                        .append("\",\"query\":\"large\",\"outcome\":{\"success\":true},\"steps\":[");
                for (int i = 0; i < 10; i++) {
                    sb.append(i == 0 ? "" : ",").append("{\"action\":{\"tool\":\"read\"},\"observation\":\"").append("y".repeat(950_000)).append("\"}");
                }
                sb.append("]}\n");
                HttpResponse<String> r = sendWithRetry("/v1/trajectories?dataset=soak-large", "application/x-ndjson", sb.toString());
                if (expect(r, 201)) {
                    accepted.add(id);
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void startRun() {
        if (datasets.isEmpty()) {
            return;
        }
        String dataset = datasets.get(random.nextInt(datasets.size()));
        HttpResponse<String> r = sendWithRetry("/v1/runs", "application/json", "{\"skill\":\"soak@1\",\"trajectories\":{\"dataset\":\""
                + dataset + "\",\"limit\":100},\"engine\":\"mining\",\"mergeWindow\":{\"idleSeconds\":10,\"maxSeconds\":60}}");
        if (r != null && r.statusCode() == 202) {
            runs.add(read(r.body()).path("id").asText());
        } else if (r != null) {
            unexpected.add("a run got " + r.statusCode() + ": " + abbreviate(r.body()));
        }
    }

    // ---- chaos ----------------------------------------------------------------------------------------------------

    private void kill(String name) {
        ServiceProcess s = services.get(name);
        try {
            killedPids.add(s.pid());
            s.kill();
            kills.incrementAndGet();
            System.out.printf("soak: killed %s (SIGKILL)%n", name);
            String module = name;
            Map<String, String> extra = name.equals("analyst-worker") ? Map.of("T2S_INGEST_URL", services.get("trace-ingest").url()) : Map.of();
            start(module, name, name.equals("merger") ? config.mergerJvm() : config.workerJvm(), extra);
            services.get(name).awaitReady(Duration.ofSeconds(180));
            System.out.printf("soak: %s restarted%n", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kafka stopped for 15 s: readiness answers within a second with 503; a run started meanwhile must still end. */
    private void kafkaOutage() {
        kafkaDown = true;
        kafka.close();
        System.out.println("soak: Kafka stopped");
        try {
            sleep(4_000);
            for (ServiceProcess s : services.values()) {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    readiness.add(ms);
                    if (ms >= READINESS_LIMIT.toMillis() || r.statusCode() != 503) {
                        readinessProblems.add(s.name + " readiness during the Kafka outage: " + r.statusCode() + " after " + ms + " ms");
                    }
                } catch (IOException e) {
                    readinessProblems.add(s.name + " readiness during the Kafka outage: " + e);
                }
            }
            HttpResponse<String> r = sendWithRetry("/v1/runs", "application/json", "{\"skill\":\"soak@1\",\"trajectories\":{\"dataset\":\""
                    + (datasets.isEmpty() ? "soak-1" : datasets.get(0)) + "\",\"limit\":50},\"engine\":\"mining\","
                    + "\"mergeWindow\":{\"idleSeconds\":10,\"maxSeconds\":60}}");
            if (r != null && r.statusCode() == 202) {
                JsonNode run = read(r.body());
                outageRun = run.path("id").asText() + " answered " + run.path("status").asText();
                runs.add(run.path("id").asText());
            } else {
                unexpected.add("a run during the Kafka outage got " + (r == null ? "no answer" : r.statusCode() + ": " + abbreviate(r.body())));
            }
            sleep(6_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            kafka = KafkaBroker.start(dir.resolve("kafka"), kafkaPort, false, LocalInfra.START_TIMEOUT);
            System.out.println("soak: Kafka started again");
            kafkaDown = false;
        }
    }

    private void sampleMemory() {
        for (Map.Entry<String, ServiceProcess> s : services.entrySet()) {
            ServiceProcess.Memory m = s.getValue().memory();
            if (m.rssKiB() > 0) {
                peakRss.merge(s.getKey(), m.rssKiB() / 1024, Math::max);
            }
            if (!Processes.alive(s.getValue().pid()) && !killedPids.contains(s.getValue().pid())) {
                String d = s.getKey() + " died (pid " + s.getValue().pid() + "): " + Processes.tail(s.getValue().log, 20);
                if (deaths.stream().noneMatch(x -> x.startsWith(s.getKey() + " died (pid " + s.getValue().pid()))) {
                    deaths.add(d);
                }
            }
        }
    }

    // ---- the end ----------------------------------------------------------------------------------------------------

    private List<String> awaitRunsEnded(Duration timeout, Map<String, Integer> byStatus, List<String> withoutReason) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Map<String, JsonNode> last = new LinkedHashMap<>();
        while (true) {
            List<String> open = new ArrayList<>();
            for (String id : runs) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(services.get("trace-ingest").url() + "/v1/runs/" + id))
                        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode run = read(r.body());
                last.put(id, run);
                String status = run.path("status").asText();
                if (!status.equals("done") && !status.equals("failed")) {
                    open.add(id + " (" + status + (run.hasNonNull("message") ? ": " + run.path("message").asText() : "") + ")");
                }
            }
            if (open.isEmpty() || System.nanoTime() > end) {
                last.forEach((id, run) -> {
                    String status = run.path("status").asText();
                    byStatus.merge(status, 1, Integer::sum);
                    if (status.equals("failed") && run.path("message").asText("").isBlank()) {
                        withoutReason.add(id);
                    }
                });
                return open;
            }
            Thread.sleep(2_000);
        }
    }

    private long storedCount() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, PostgresServer.USER, "");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM ingest.trajectories WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", accepted.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------------

    /** Sends; a 503 with Retry-After is sent again after the wait (up to five times). Any other 5xx is recorded. */
    private HttpResponse<String> sendWithRetry(String path, String type, String body) {
        for (int attempt = 0; attempt < 6; attempt++) {
            HttpResponse<String> r;
            try {
                r = post(path, type, body);
            } catch (IOException e) {
                if (!kafkaDown) {
                    unexpected.add(path + ": " + e);
                }
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
                retried.incrementAndGet();
                sleep(1_000L * Long.parseLong(r.headers().firstValue("Retry-After").get()));
                continue;
            }
            if (r.statusCode() >= 500) {
                unexpected.add(path + " answered " + r.statusCode() + ": " + abbreviate(r.body()));
            }
            return r;
        }
        unexpected.add(path + ": still 503 after 6 attempts");
        return null;
    }

    private HttpResponse<String> post(String path, String type, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(services.get("trace-ingest").url() + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean expect(HttpResponse<String> r, int status) {
        if (r == null) {
            return false;
        }
        if (r.statusCode() != status) {
            unexpected.add("expected " + status + ", got " + r.statusCode() + ": " + abbreviate(r.body()));
            return false;
        }
        return true;
    }

    private static JsonNode read(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            return Json.mapper().createObjectNode();
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepUntil(long nanoTime) {
        long ms = (nanoTime - System.nanoTime()) / 1_000_000;
        if (ms > 0) {
            sleep(ms);
        }
    }

}
