package dev.trace2skill.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.infra.ServiceProcess;
import dev.trace2skill.testkit.InfraTestResource;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
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
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large generated NDJSON upload through trace-ingest as a real process whose heap is capped at 256 MB: every record
 * is stored, the process survives, and the numbers are printed (wall time, MB/s, peak heap used and peak RSS). The
 * size is {@code -Dt2s.large-import.mb} (default 64, so CI stays fast; the 1 GB run is {@code -Dt2s.large-import.mb=1024},
 * results in the README). The client is Java's HttpClient with its defaults, which asks to upgrade to HTTP/2 (h2c):
 * trace-ingest must still stream the body (HTTP/2 is off there, since the upgrade would buffer the whole body).
 */
class LargeImportTest {
    static final String TOKEN = "large-token";
    static final int RECORD_BYTES = 10 * 1024;

    @Test
    void generatedNdjsonImportsWithA256MbHeap() throws Exception {
        long megabytes = Long.getLong("t2s.large-import.mb", 64);
        long target = megabytes * 1024 * 1024;
        String jdbc = InfraTestResource.jdbcUrl("t2s_large");
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", InfraTestResource.bootstrapServers(),
                "T2S_DATASOURCE_JDBC_URL", jdbc,
                "T2S_DATASOURCE_USERNAME", "t2s",
                "T2S_API_TOKEN", TOKEN,
                "T2S_TOPICS_ANALYSIS_PARTITIONS", "2",
                "T2S_TOPICS_PARTITIONS", "1");
        Path logs = Path.of("target/e2e-logs");
        Files.createDirectories(logs);
        try (ServiceProcess ingest = ServiceProcess.start("trace-ingest", "trace-ingest-large", env,
                "-Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError", logs)) {
            ingest.awaitReady(Duration.ofSeconds(120));
            Generator generator = new Generator(target);
            HeapSampler heap = new HeapSampler(ingest.url());
            Thread sampler = Thread.ofPlatform().daemon().start(heap);
            long start = System.nanoTime();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ingest.url()
                            + "/v1/trajectories?dataset=large")).header("Content-Type", "application/x-ndjson")
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofMinutes(30))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> generator)).build(), HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - start) / 1e9;
            heap.stop();
            sampler.join(5_000);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode report = Json.mapper().readTree(r.body());
            assertThat(report.path("received").asLong()).isEqualTo(generator.records);
            assertThat(report.path("accepted").asLong()).isEqualTo(generator.records);
            assertThat(report.path("rejectedCount").asInt()).isZero();
            try (Connection c = DriverManager.getConnection(jdbc, "t2s", null);
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM ingest.trajectories WHERE dataset = 'large'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(generator.records);
            }
            ServiceProcess.Memory memory = ingest.memory();
            // -XX:+ExitOnOutOfMemoryError: had the heap run out, the process would be gone and this would fail
            ingest.awaitReady(Duration.ofSeconds(10));
            System.out.printf(Locale.ROOT, "LargeImportTest: %d MB NDJSON (%d bytes, %d records of ~%d KB) into trace-ingest -Xmx256m:"
                            + " %.1f s, %.1f MB/s, %.0f records/s; peak heap used %d MiB (sampled every 200 ms), peak RSS %s MiB%n",
                    megabytes, generator.bytes, generator.records, RECORD_BYTES / 1024, seconds, generator.bytes / 1e6 / seconds,
                    generator.records / seconds, heap.peak.get() / (1024 * 1024), memory.hwmMiB());
        }
    }

    /** NDJSON trajectories of about {@link #RECORD_BYTES} each, generated as they are read (nothing held). */
    static final class Generator extends InputStream {
        private final long target;
        private final Random random = new Random(14);
        private byte[] line = new byte[0];
        private int at;
        long bytes;
        long records;

        Generator(long target) {
            this.target = target;
        }

        private boolean next() {
            if (bytes >= target) {
                return false;
            }
            long i = records++;
            StringBuilder obs = new StringBuilder(RECORD_BYTES);
            String[] words = {"flight", "seat", "refund", "order", "policy", "user", "booking", "payment", "delay", "Marxburg"};
            while (obs.length() < RECORD_BYTES - 300) {
                obs.append(words[random.nextInt(words.length)]).append(' ').append(random.nextInt(100_000)).append(' ');
            }
            String json = "{\"id\":\"large-" + i + "\",\"query\":\"Task " + i + ": rebook order " + random.nextInt(1_000_000)
                    + "\",\"outcome\":{\"success\":" + (i % 3 != 0) + "},\"steps\":[{\"reasoning\":\"Look the order up.\","
                    + "\"action\":{\"tool\":\"get_order\",\"arguments\":{\"order_id\":" + i + "}},\"observation\":\"" + obs + "\"}]}\n";
            line = json.getBytes(StandardCharsets.UTF_8);
            at = 0;
            bytes += line.length;
            return true;
        }

        @Override
        public int read() {
            if (at >= line.length && !next()) {
                return -1;
            }
            return line[at++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= line.length && !next()) {
                return -1;
            }
            int n = Math.min(len, line.length - at);
            System.arraycopy(line, at, b, off, n);
            at += n;
            return n;
        }
    }

    /** Polls the service's heap use from its Prometheus metrics and keeps the peak. */
    static final class HeapSampler implements Runnable {
        private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+([0-9.eE+]+)");
        private final String url;
        private volatile boolean stopped;
        final AtomicLong peak = new AtomicLong();

        HeapSampler(String url) {
            this.url = url;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            HttpClient http = HttpClient.newHttpClient();
            while (!stopped) {
                try {
                    String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Matcher m = HEAP.matcher(metrics);
                    long used = 0;
                    while (m.find()) {
                        used += (long) Double.parseDouble(m.group(1));
                    }
                    peak.accumulateAndGet(used, Math::max);
                    Thread.sleep(200);
                } catch (Exception e) {
                    if (stopped) {
                        return;
                    }
                }
            }
        }
    }
}
