package dev.trace2skill.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.TrajectoryImporters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Imports in the background ({@code ?async=true}): the upload is first spooled to a file (bounded memory, any size),
 * a job is recorded, and a worker thread streams the file through {@link Ingestion}, writing the job's counts after
 * every stored batch so {@code GET /v1/imports/{id}} shows progress; the spool file is deleted when the job ends.
 */
@ApplicationScoped
public class ImportJobs {
    private static final Logger LOG = Logger.getLogger(ImportJobs.class);

    @Inject
    Ingestion ingestion;
    @Inject
    ImportJobStore jobs;
    @Inject
    MeterRegistry registry;
    @Inject
    IngestBudget budget;

    @ConfigProperty(name = "t2s.ingest.spool-dir", defaultValue = "${java.io.tmpdir}/t2s-imports")
    String spoolDir;
    @ConfigProperty(name = "t2s.ingest.import-concurrency", defaultValue = "2")
    int concurrency;
    @ConfigProperty(name = "t2s.ingest.import-stale-after", defaultValue = "300")
    long staleAfterSeconds;

    private ExecutorService executor;
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();

    @PostConstruct
    void init() {
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
            Thread t = new Thread(r, "import-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("t2s.ingest.imports.running", running, AtomicInteger::get)
                .description("background imports running now").register(registry);
    }

    /** Spools a request body, records the job and queues it. */
    public ImportJobStore.Job submit(InputStream body, TrajectoryImporters.Shape shape, String format, String dataset,
                                     ImportOptions options, JsonNode optionsView) {
        Path file = spoolFile();
        long bytes;
        try (OutputStream out = Files.newOutputStream(file)) {
            bytes = body.transferTo(out);
        } catch (IOException e) {
            delete(file);
            throw new UncheckedIOException("cannot spool the upload: " + e.getMessage(), e);
        }
        return queue(file, bytes, shape, format, dataset, options, optionsView);
    }

    /** Takes over an uploaded file (moved into the spool directory), records the job and queues it. */
    public ImportJobStore.Job submit(Path uploaded, TrajectoryImporters.Shape shape, String format, String dataset,
                                     ImportOptions options, JsonNode optionsView) {
        Path file = spoolFile();
        try {
            Files.move(uploaded, file, StandardCopyOption.REPLACE_EXISTING);
            return queue(file, Files.size(file), shape, format, dataset, options, optionsView);
        } catch (IOException e) {
            delete(file);
            throw new UncheckedIOException("cannot spool the upload: " + e.getMessage(), e);
        }
    }

    private ImportJobStore.Job queue(Path file, long bytes, TrajectoryImporters.Shape shape, String format, String dataset,
                                     ImportOptions options, JsonNode optionsView) {
        String id = "imp-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        jobs.create(id, dataset, format, optionsView, bytes);
        active.add(id);
        counter("queued");
        executor.submit(() -> run(id, file, shape, format, dataset, options));
        return jobs.get(id).orElseThrow();
    }

    private void run(String id, Path file, TrajectoryImporters.Shape shape, String format, String dataset, ImportOptions options) {
        try {
            if (!jobs.start(id)) {
                return;
            }
            running.incrementAndGet();
            try (dev.trace2skill.service.MemoryBudget.Reservation ignored = budget.reserveWaiting(Files.size(file));
                 CountingInputStream in = new CountingInputStream(Files.newInputStream(file))) {
                IngestReport report = ingestion.ingest(in, shape, format, dataset, options, counts -> jobs.progress(id, in.count, counts));
                jobs.done(id, in.count, report);
                counter("done");
                LOG.infof("import %s: %d records, %d accepted, %d duplicates, %d rejected", id, report.received(), report.accepted(),
                        report.duplicates(), report.rejectedCount());
            } finally {
                running.decrementAndGet();
            }
        } catch (Exception | OutOfMemoryError e) {
            LOG.errorf(e, "import %s failed", id);
            jobs.failed(id, e.getClass().getSimpleName() + ": " + e.getMessage());
            counter("failed");
        } finally {
            active.remove(id);
            delete(file);
        }
    }

    /** The job, after failing it if it stopped reporting on another (dead) instance. */
    public java.util.Optional<ImportJobStore.Job> get(String id) {
        if (!active.contains(id)) {
            jobs.failIfStale(id, staleAfterSeconds);
        }
        return jobs.get(id);
    }

    void stop(@Observes ShutdownEvent ev) {
        executor.shutdownNow();
        for (String id : active) {
            jobs.failed(id, "trace-ingest stopped during the import; upload again: what was stored stays, and a re-upload counts it as duplicates");
        }
    }

    private Path spoolFile() {
        try {
            Path dir = Path.of(spoolDir);
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "import-", ".upload");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spool file in " + spoolDir + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", file, e.getMessage());
        }
    }

    private void counter(String status) {
        Counter.builder("t2s.ingest.imports").description("background imports by status (queued, done, failed)")
                .tag("status", status).register(registry).increment();
    }

    /** Bytes read so far, for progress. */
    static final class CountingInputStream extends FilterInputStream {
        volatile long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
