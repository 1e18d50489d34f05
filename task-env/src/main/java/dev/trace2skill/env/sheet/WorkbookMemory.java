package dev.trace2skill.env.sheet;

import dev.trace2skill.env.EnvironmentException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the heap that workbooks loaded with Apache POI may take in this JVM at once. POI holds a workbook as an XML
 * object tree of about 15-19 times its unzipped size (measured on the largest SpreadsheetBench workbooks: 7.5 MB
 * unzipped held 141 MB), so sixteen large episodes at once would exhaust a 1-2 GB heap. Each load first leases
 * {@link #estimate(long)} bytes from a budget of half the maximum heap and waits while the budget is spent; a
 * workbook larger than the whole budget runs alone. Waiting loads are served first come, first served, so a large
 * workbook is not passed over by a stream of small ones. Leases are returned when the workbook is closed.
 */
public final class WorkbookMemory {
    /** Heap held per unzipped byte, with margin for the transient load. */
    static final int FACTOR = 20;
    static final long MIN_ESTIMATE = 4L * 1024 * 1024;

    private static final WorkbookMemory JVM = new WorkbookMemory(Runtime.getRuntime().maxMemory() / 2);

    private final long budget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private long leased;
    private long peak;
    private int open;
    private long nextTicket;
    private long serving;
    private final java.util.Set<Long> abandoned = new java.util.HashSet<>();

    WorkbookMemory(long budget) {
        this.budget = budget;
    }

    public static WorkbookMemory jvm() {
        return JVM;
    }

    static long estimate(long unzippedBytes) {
        return Math.max(MIN_ESTIMATE, unzippedBytes * FACTOR);
    }

    /** A lease on heap for one loaded workbook; close it when the workbook is closed. */
    public final class Lease implements AutoCloseable {
        private final long bytes;
        private boolean closed;

        private Lease(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    leased -= bytes;
                    open--;
                    freed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until the estimate fits the budget (or nothing else is leased), at most {@code wait}. */
    Lease acquire(long unzippedBytes, Duration wait) {
        long want = Math.min(estimate(unzippedBytes), budget);
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        long ticket = nextTicket++;
        try {
            while (ticket != serving || (leased > 0 && leased + want > budget)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new EnvironmentException("no memory for another workbook of " + (unzippedBytes >> 20) + " MB unzipped within "
                            + wait.toSeconds() + " s (" + open + " workbooks open)");
                }
                freed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
            leased += want;
            open++;
            peak = Math.max(peak, leased);
            return new Lease(want);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvironmentException("interrupted while waiting for memory for a workbook");
        } finally {
            if (ticket == serving) {
                serving++; // served, gave up or interrupted: the next in line may go
            } else {
                abandoned.add(ticket); // gave up before its turn: skipped when its turn comes
            }
            while (abandoned.remove(serving)) {
                serving++;
            }
            freed.signalAll();
            lock.unlock();
        }
    }

    /** Bytes leased now, the most leased at once, workbooks open, and the budget. */
    public String describe() {
        lock.lock();
        try {
            return String.format("workbook memory budget %d MB: %d MB leased by %d open workbooks, at most %d MB",
                    budget >> 20, leased >> 20, open, peak >> 20);
        } finally {
            lock.unlock();
        }
    }

    public long peakBytes() {
        lock.lock();
        try {
            return peak;
        } finally {
            lock.unlock();
        }
    }
}
