package dev.trace2skill.bench;

import java.util.Arrays;
import java.util.Collection;

/** The arithmetic the benchmarks print: percentiles of latencies, rates, and the model-bound ideal time. */
public final class Stats {
    private Stats() {
    }

    /**
     * Nearest-rank percentile: the smallest value such that at least {@code p}% of the values are ≤ it (rank
     * ⌈p/100 · n⌉, 1-based). p = 0 gives the minimum, p = 100 the maximum.
     */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be 0-100: " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public static long[] sorted(Collection<Long> values) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /** Per second, from a count and nanoseconds. */
    public static double perSecond(double count, long nanos) {
        return count / (nanos / 1e9);
    }

    /**
     * The model-bound ideal wall time: ⌈N · calls / min(K, workers · inFlight)⌉ · L. With every model call taking L and
     * at most min(K, workers·inFlight) calls in progress at once, N analyses of {@code callsPerAnalysis} sequential
     * calls each cannot finish sooner than this many "waves" of L.
     *
     * @return milliseconds
     */
    public static long idealMillis(int jobs, int callsPerAnalysis, int slots, int workers, int inFlightPerWorker, long latencyMs) {
        if (jobs < 0 || callsPerAnalysis < 0 || slots < 1 || workers < 1 || inFlightPerWorker < 1 || latencyMs < 0) {
            throw new IllegalArgumentException("invalid ideal-time parameters");
        }
        long parallel = Math.min((long) slots, (long) workers * inFlightPerWorker);
        long calls = (long) jobs * callsPerAnalysis;
        long waves = (calls + parallel - 1) / parallel;
        return waves * latencyMs;
    }

    /** The concurrency that bounds the ideal: min(K, workers · in-flight). */
    public static int bound(int slots, int workers, int inFlightPerWorker) {
        return (int) Math.min((long) slots, (long) workers * inFlightPerWorker);
    }

    public static double millis(long nanos) {
        return nanos / 1e6;
    }
}
