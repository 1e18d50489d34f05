package dev.trace2skill.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Heap that work in flight may reserve together (uploads in trace-ingest, analyses in a worker): each piece of work
 * reserves its estimate before it reads its input and returns it when done, so a burst of large inputs waits instead
 * of exhausting the heap. Counted in KiB (a fair semaphore counts ints); a reservation larger than the whole budget
 * takes the whole budget. Exports {@code <metric>.reserved} and {@code <metric>.budget} in bytes.
 */
public final class MemoryBudget {
    private final int totalKiB;
    private final Semaphore permits;

    /**
     * @param bytes  the budget in bytes (at least 1 MiB is used)
     * @param metric the gauges' name prefix, e.g. {@code t2s.ingest.memory}
     * @param what   what reserves, for the gauges' descriptions, e.g. "uploads in flight"
     */
    public MemoryBudget(long bytes, MeterRegistry registry, String metric, String what) {
        totalKiB = (int) Math.max(1024, Math.min(Integer.MAX_VALUE, bytes / 1024));
        permits = new Semaphore(totalKiB, true);
        Gauge.builder(metric + ".reserved", this, b -> (double) (b.totalKiB - b.permits.availablePermits()) * 1024)
                .description("heap reserved by " + what + ", bytes").baseUnit("bytes").register(registry);
        Gauge.builder(metric + ".budget", this, b -> (double) b.totalKiB * 1024)
                .description("heap " + what + " may reserve together, bytes").baseUnit("bytes").register(registry);
    }

    /** The default budget: half the maximum heap. */
    public static long halfTheHeap() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    /** Waits as long as it takes for {@code bytes}. */
    public Reservation reserve(long bytes) throws InterruptedException {
        int kib = kib(bytes);
        permits.acquire(kib);
        return new Reservation(kib);
    }

    /** Waits up to {@code wait} for {@code bytes}; null when the budget stayed taken (or the thread was interrupted). */
    public Reservation tryReserve(long bytes, Duration wait) {
        int kib = kib(bytes);
        try {
            if (permits.tryAcquire(kib, wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Reservation(kib);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private int kib(long bytes) {
        return (int) Math.max(1, Math.min(totalKiB, (bytes + 1023) / 1024));
    }

    /** A share of the budget, returned with {@link #close()} (once, however often it is called). */
    public final class Reservation implements AutoCloseable {
        private final int kib;
        private boolean closed;

        private Reservation(int kib) {
            this.kib = kib;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                permits.release(kib);
            }
        }
    }
}
