package dev.trace2skill.bench;

import dev.trace2skill.infra.ServiceProcess;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.infra.LocalInfra;
import dev.trace2skill.infra.PostgresServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark A (issue 3): trace-ingest's {@code POST /v1/trajectories} against a plain Kafka producer on the same broker.
 *
 * <p>The 200 tau-bench airline records are converted with the core's {@code openai-messages} importer into the
 * project's trajectory JSON, one per line (NDJSON). Real Kafka (KRaft) and PostgreSQL are started (local-infra) and
 * trace-ingest runs as a real process from its packaged jar. Two paths get the same batches of {@code --batch} records:
 * <ul>
 *   <li><b>REST</b>: one request per batch, the NDJSON bytes as the body; trace-ingest parses, validates, hashes and
 *       stores every trajectory in PostgreSQL (it publishes nothing to Kafka on this path). Latency = request →
 *       response.</li>
 *   <li><b>raw Kafka</b>: the identical bytes, one record per trajectory (key = its id), with a kafka-clients producer,
 *       {@code acks=all}, to a topic on the same broker. Latency = first send of the batch → last acknowledgement.</li>
 * </ul>
 * Each path is warmed up ({@code --warmup-s}, not counted), then measured twice for {@code --duration-s}: in a closed
 * loop of {@code --concurrency} clients (the most it sustains: trajectories/s, MB/s and the ratio REST/raw), and in an
 * open loop at a fixed offered rate ({@code --rate}, by default {@code --rate-fraction} of REST's closed-loop maximum),
 * where p50/p99 latency is the latency at a rate the service sustains. Every round through the 200 records gives them
 * fresh ids ({@code <phase>-r<round>-tau-<task>-<trial>}), so no request is a duplicate. The CPU time each process
 * spent is printed per phase, and the stored row count and the topic's record count are checked against what was sent.
 */
public final class IngestBench {
    static final String TOKEN = "bench-token";

    public static void main(String[] argv) throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("batch", "20");
        defaults.put("concurrency", "2");
        defaults.put("warmup-s", "15");
        defaults.put("duration-s", "30");
        defaults.put("rate", "auto");
        defaults.put("rate-fraction", "0.5");
        defaults.put("max-outstanding", "16");
        defaults.put("raw-partitions", "8");
        defaults.put("jvm-opts", ServiceProcess.DEFAULT_JVM_OPTS);
        defaults.put("logs", "bench/target/bench-logs/ingest");
        Args args = new Args(argv, defaults, "IngestBench: trace-ingest REST vs a raw Kafka producer on the tau-bench records");
        int batch = args.integer("batch");
        int concurrency = args.integer("concurrency");
        Duration warmup = Duration.ofSeconds(args.longValue("warmup-s"));
        Duration duration = Duration.ofSeconds(args.longValue("duration-s"));
        Path logs = Path.of(args.get("logs")).toAbsolutePath();

        Records records = Records.load();
        System.out.printf("tau-bench: %d records -> %d trajectories, %.2f MB as NDJSON (mean %.1f KB, max %.1f KB per trajectory)%n",
                records.count(), records.count(), records.totalBytes() / 1e6, records.totalBytes() / 1e3 / records.count(),
                records.maxBytes() / 1e3);
        System.out.printf("machine: %d cores, load average %s; batch %d records, %d concurrent clients, warm-up %d s, measured %d s per path%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), batch, concurrency, warmup.toSeconds(), duration.toSeconds());

        Path dir = LocalInfra.tempDir();
        try (LocalInfra infra = LocalInfra.start(dir, 0, 0, false)) {
            infra.postgres().createDatabase("t2s_bench");
            String jdbc = infra.postgres().jdbcUrl("t2s_bench");
            String bootstrap = infra.kafka().bootstrapServers();
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                    "T2S_DATASOURCE_JDBC_URL", jdbc,
                    "T2S_DATASOURCE_USERNAME", PostgresServer.USER,
                    "T2S_API_TOKEN", TOKEN,
                    "T2S_TOPICS_ANALYSIS_PARTITIONS", "8",
                    "T2S_TOPICS_PARTITIONS", "2");
            String rawTopic = "bench-raw-trajectories";
            createTopic(bootstrap, rawTopic, args.integer("raw-partitions"));
            try (ServiceProcess ingest = ServiceProcess.start("trace-ingest", "trace-ingest", env, args.get("jvm-opts"), logs)) {
                ingest.awaitReady(Duration.ofSeconds(120));
                System.out.println("trace-ingest ready at " + ingest.url() + " (pid " + ingest.pid() + ", JVM " + args.get("jvm-opts") + ")");
                Sender rest = new RestSender(ingest.url());
                try (RawSender raw = new RawSender(bootstrap, rawTopic)) {
                    Probe probe = new Probe(ingest.pid(), infra.kafka().pid(), infra.postgres().pid());
                    System.out.println("closed loop (" + concurrency + " clients, each sending its next batch when the last is done):");
                    closedLoop("REST warm-up", new Source("wr", records, batch), rest, concurrency, warmup, null);
                    closedLoop("raw warm-up", new Source("wk", records, batch), raw, concurrency, warmup, null);
                    Result restMax = closedLoop("REST", new Source("r", records, batch), rest, concurrency, duration, probe);
                    Result rawMax = closedLoop("raw Kafka", new Source("k", records, batch), raw, concurrency, duration, probe);
                    double rate = args.get("rate").equals("auto")
                            ? Math.floor(restMax.perSecond() * Double.parseDouble(args.get("rate-fraction")) / 10) * 10
                            : Double.parseDouble(args.get("rate"));
                    System.out.printf("open loop at %.0f trajectories/s offered (a batch of %d due every %.1f ms, up to %d outstanding):%n",
                            rate, batch, batch / rate * 1e3, args.integer("max-outstanding"));
                    Result restRate = openLoop("REST @ rate", new Source("rr", records, batch), rest, rate, batch,
                            args.integer("max-outstanding"), duration, probe);
                    Result rawRate = openLoop("raw Kafka @ rate", new Source("kr", records, batch), raw, rate, batch,
                            args.integer("max-outstanding"), duration, probe);

                    long stored = countRows(jdbc);
                    long expectedRows = RestSender.accepted.get();
                    long onTopic = countTopic(bootstrap, rawTopic);
                    long expectedRecords = raw.acked.get();

                    System.out.printf("%nBenchmark A - trace-ingest POST /v1/trajectories vs a raw Kafka producer (acks=all), same broker, same bytes%n");
                    System.out.printf("%d tau-bench trajectories per round, fresh ids every round; batch %d trajectories (%.0f KB) per request%n",
                            records.count(), batch, records.totalBytes() / 1e3 / records.count() * batch);
                    table("1) most sustained: closed loop, " + concurrency + " clients, " + duration.toSeconds() + " s each", List.of(restMax, rawMax));
                    double ratio = restMax.perSecond() / rawMax.perSecond();
                    System.out.printf("ratio REST/raw (trajectories/s): %.2f   target >= 0.5: %s%n", ratio, ratio >= 0.5 ? "MET" : "MISSED");
                    table(String.format("2) at a sustained rate: open loop, %.0f trajectories/s offered (%s of REST's maximum above), %d s each",
                            rate, args.get("rate").equals("auto") ? args.get("rate-fraction") : "fixed", duration.toSeconds()), List.of(restRate, rawRate));
                    System.out.printf("REST p99 latency at %.0f trajectories/s: %.1f ms   target < 50 ms: %s   (at its maximum, closed loop: %.1f ms)%n",
                            restRate.perSecond(), restRate.p(99), restRate.p(99) < 50 ? "MET" : "MISSED", restMax.p(99));
                    System.out.println("REST parses, validates, hashes and stores every trajectory in PostgreSQL (it publishes nothing to Kafka);");
                    System.out.println("raw Kafka only appends the same bytes to the broker. Latency: REST request -> response; raw first send -> last ack of the batch.");
                    System.out.println();
                    cpuTable(List.of(restMax, rawMax, restRate, rawRate));
                    System.out.printf("%ncheck: PostgreSQL ingest.trajectories holds %d rows, REST accepted %d (warm-up included)%s%n",
                            stored, expectedRows, stored == expectedRows ? " - equal" : " - MISMATCH");
                    System.out.printf("check: topic %s holds %d records, the producer had %d acknowledged%s%n",
                            rawTopic, onTopic, expectedRecords, onTopic == expectedRecords ? " - equal" : " - MISMATCH");
                    ServiceProcess.Memory m = ingest.memory();
                    System.out.printf("trace-ingest RSS at the end: %s MiB (peak %s MiB)%n", m.rssMiB(), m.hwmMiB());
                }
            }
        } finally {
            LocalInfra.deleteTree(dir);
        }
    }

    // ---- records and batches ---------------------------------------------------------------------------------------

    /** The NDJSON lines, split after their id so each round can give them fresh ids cheaply. */
    record Records(List<String> ids, List<String> afterId) {
        static Records load() {
            List<Trajectory> ts = TauBench.trajectories();
            List<String> ids = new ArrayList<>();
            List<String> rest = new ArrayList<>();
            for (Trajectory t : ts) {
                String json = Json.write(t);
                String head = "{\"id\":\"" + t.id() + "\"";
                if (!json.startsWith(head)) {
                    throw new IllegalStateException("a trajectory's JSON does not start with its id: " + json.substring(0, 80));
                }
                ids.add(t.id());
                rest.add(json.substring(head.length()));
            }
            return new Records(ids, rest);
        }

        int count() {
            return ids.size();
        }

        String line(int i, String newId) {
            return "{\"id\":\"" + newId + "\"" + afterId.get(i);
        }

        long totalBytes() {
            long sum = 0;
            for (int i = 0; i < count(); i++) {
                sum += line(i, ids.get(i)).getBytes(StandardCharsets.UTF_8).length;
            }
            return sum;
        }

        long maxBytes() {
            long max = 0;
            for (int i = 0; i < count(); i++) {
                max = Math.max(max, line(i, ids.get(i)).getBytes(StandardCharsets.UTF_8).length);
            }
            return max;
        }
    }

    /** One request's worth: the trajectories' ids and their NDJSON lines as bytes. */
    record Batch(List<String> ids, List<byte[]> lines, long bytes) {
        byte[] ndjson() {
            byte[] out = new byte[(int) bytes + lines.size()];
            int at = 0;
            for (byte[] l : lines) {
                System.arraycopy(l, 0, out, at, l.length);
                at += l.length;
                out[at++] = '\n';
            }
            return out;
        }
    }

    /** Batches in order over rounds of the records; round r renames record i to {@code <phase>-r<r>-<id>}. */
    static final class Source {
        private final String phase;
        private final Records records;
        private final int batch;
        private final int perRound;
        private final AtomicLong next = new AtomicLong();

        Source(String phase, Records records, int batch) {
            this.phase = phase;
            this.records = records;
            this.batch = batch;
            this.perRound = (records.count() + batch - 1) / batch;
        }

        Batch next() {
            long b = next.getAndIncrement();
            long round = b / perRound;
            int from = (int) (b % perRound) * batch;
            int to = Math.min(records.count(), from + batch);
            List<String> ids = new ArrayList<>(to - from);
            List<byte[]> lines = new ArrayList<>(to - from);
            long bytes = 0;
            for (int i = from; i < to; i++) {
                String id = phase + "-r" + round + "-" + records.ids().get(i);
                byte[] line = records.line(i, id).getBytes(StandardCharsets.UTF_8);
                ids.add(id);
                lines.add(line);
                bytes += line.length;
            }
            return new Batch(ids, lines, bytes);
        }
    }

    // ---- the two paths -----------------------------------------------------------------------------------------------

    interface Sender {
        /** Sends one batch and returns when it is durable (stored / acknowledged); throws on any failure. */
        void send(Batch b) throws Exception;
    }

    static final class RestSender implements Sender {
        static final AtomicLong accepted = new AtomicLong();
        private final String url;
        private final ThreadLocal<HttpClient> clients = ThreadLocal.withInitial(() ->
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build());

        RestSender(String url) {
            this.url = url;
        }

        @Override
        public void send(Batch b) throws Exception {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/v1/trajectories?dataset=bench"))
                    .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + TOKEN)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(b.ndjson())).build();
            HttpResponse<String> r = clients.get().send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
            JsonNode report = Json.mapper().readTree(r.body());
            int n = report.path("accepted").asInt(-1);
            if (n != b.ids().size()) {
                throw new IllegalStateException("accepted " + n + " of " + b.ids().size() + ": " + r.body());
            }
            accepted.addAndGet(n);
        }
    }

    static final class RawSender implements Sender, AutoCloseable {
        final AtomicLong acked = new AtomicLong();
        private final String topic;
        private final KafkaProducer<String, byte[]> producer;

        RawSender(String bootstrap, String topic) {
            this.topic = topic;
            Map<String, Object> config = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
            producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public void send(Batch b) throws Exception {
            List<Future<RecordMetadata>> futures = new ArrayList<>(b.ids().size());
            for (int i = 0; i < b.ids().size(); i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, b.ids().get(i), b.lines().get(i))));
            }
            for (Future<RecordMetadata> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            acked.addAndGet(futures.size());
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }

    // ---- running a phase -------------------------------------------------------------------------------------------

    record Result(String label, long records, long bytes, long requests, long nanos, long[] latencies, Map<String, Long> cpuMillis) {
        double perSecond() {
            return Stats.perSecond(records, nanos);
        }

        double mbPerSecond() {
            return Stats.perSecond(bytes / 1e6, nanos);
        }

        double p(double pct) {
            return Stats.millis(Stats.percentile(latencies, pct));
        }
    }

    /** CPU time of the processes involved, sampled around a phase. */
    record Probe(long ingestPid, long kafkaPid, long postgresPid) {
        Map<String, Long> sample() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("trace-ingest", ServiceProcess.cpuMillis(ingestPid));
            m.put("kafka", ServiceProcess.cpuMillis(kafkaPid));
            long pg = ServiceProcess.cpuMillis(postgresPid);
            for (ProcessHandle h : ProcessHandle.of(postgresPid).map(p -> p.descendants().toList()).orElse(List.of())) {
                pg += Math.max(0, ServiceProcess.cpuMillis(h.pid()));
            }
            m.put("postgres", pg);
            m.put("bench client", ServiceProcess.cpuMillis(ProcessHandle.current().pid()));
            return m;
        }
    }

    /**
     * A closed loop: {@code concurrency} clients each send a batch, wait for it, send the next. This finds the most a
     * path sustains; latency then includes queueing behind the other clients.
     */
    static Result closedLoop(String label, Source source, Sender sender, int concurrency, Duration duration, Probe probe)
            throws InterruptedException {
        Phase ph = new Phase(label, probe);
        long deadline = ph.start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            threads.add(Thread.ofPlatform().name(label + "-" + c).start(() -> {
                while (System.nanoTime() < deadline && ph.failures.isEmpty()) {
                    Batch b = source.next();
                    ph.send(sender, b, System.nanoTime());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return ph.finish();
    }

    /**
     * An open loop at a fixed offered rate: batch k is due at start + k · batch / rate, whether or not earlier ones
     * are done (up to {@code maxOutstanding} at once). Latency counts from when a batch was due, so a path that falls
     * behind shows it in its latency (no coordinated omission).
     */
    static Result openLoop(String label, Source source, Sender sender, double trajectoriesPerSecond, int batch, int maxOutstanding,
                           Duration duration, Probe probe) throws InterruptedException {
        Phase ph = new Phase(label, probe);
        long interval = (long) (batch / trajectoriesPerSecond * 1e9);
        long batches = Math.max(1, duration.toNanos() / interval);
        AtomicLong nextIndex = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < maxOutstanding; c++) {
            threads.add(Thread.ofPlatform().name(label + "-" + c).start(() -> {
                long k;
                while ((k = nextIndex.getAndIncrement()) < batches && ph.failures.isEmpty()) {
                    long due = ph.start + k * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    Batch b = source.next();
                    ph.send(sender, b, due);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return ph.finish();
    }

    /** What one measured phase collects. */
    static final class Phase {
        final String label;
        final Probe probe;
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong records = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Long> before;
        final long start;

        Phase(String label, Probe probe) {
            this.label = label;
            this.probe = probe;
            this.before = probe == null ? null : probe.sample();
            this.start = System.nanoTime();
        }

        void send(Sender sender, Batch b, long since) {
            try {
                sender.send(b);
            } catch (Exception e) {
                failures.add(e);
                return;
            }
            latencies.add(System.nanoTime() - since);
            records.addAndGet(b.ids().size());
            bytes.addAndGet(b.bytes());
        }

        Result finish() {
            long nanos = System.nanoTime() - start;
            if (!failures.isEmpty()) {
                throw new IllegalStateException(label + " failed: " + failures.get(0).getMessage(), failures.get(0));
            }
            Map<String, Long> cpu = null;
            if (probe != null) {
                Map<String, Long> after = probe.sample();
                cpu = new LinkedHashMap<>();
                for (String k : after.keySet()) {
                    cpu.put(k, after.get(k) - before.get(k));
                }
            }
            Result r = new Result(label, records.get(), bytes.get(), latencies.size(), nanos, Stats.sorted(latencies), cpu);
            System.out.printf("  %-22s %6d trajectories in %5.1f s: %7.1f/s, p50 %6.1f ms, p90 %6.1f ms, p99 %6.1f ms, max %6.1f ms%n",
                    label, r.records(), nanos / 1e9, r.perSecond(), r.p(50), r.p(90), r.p(99), r.p(100));
            return r;
        }
    }

    static void table(String title, List<Result> results) {
        System.out.println();
        System.out.println(title);
        System.out.printf("| %-16s | %12s | %8s | %7s | %8s | %8s | %8s | %8s | %8s |%n",
                "path", "trajectories", "requests", "secs", "traj/s", "MB/s", "p50 ms", "p99 ms", "max ms");
        System.out.println("|" + "-".repeat(18) + "|" + "-".repeat(14) + "|" + "-".repeat(10) + "|" + "-".repeat(9) + "|"
                + "-".repeat(10) + "|" + "-".repeat(10) + "|" + "-".repeat(10) + "|" + "-".repeat(10) + "|" + "-".repeat(10) + "|");
        for (Result r : results) {
            System.out.printf("| %-16s | %12d | %8d | %7.1f | %8.1f | %8.2f | %8.1f | %8.1f | %8.1f |%n", r.label(), r.records(), r.requests(),
                    r.nanos() / 1e9, r.perSecond(), r.mbPerSecond(), r.p(50), r.p(99), r.p(100));
        }
    }

    static void cpuTable(List<Result> results) {
        System.out.println("CPU seconds spent during each measured phase (per 1,000 trajectories in brackets):");
        Set<String> procs = results.get(0).cpuMillis().keySet();
        StringBuilder h = new StringBuilder(String.format("| %-22s |", "phase"));
        procs.forEach(p -> h.append(String.format(" %-20s |", p)));
        System.out.println(h);
        for (Result r : results) {
            StringBuilder row = new StringBuilder(String.format("| %-22s |", r.label()));
            for (String p : procs) {
                long ms = r.cpuMillis().get(p);
                row.append(String.format(" %7.1f s (%6.2f s) |", ms / 1e3, ms / 1e3 / (r.records() / 1e3)));
            }
            System.out.println(row);
        }
    }

    // ---- setup and checks ------------------------------------------------------------------------------------------

    static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    static long countRows(String jdbc) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, PostgresServer.USER, "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM ingest.trajectories")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long countTopic(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }
}
