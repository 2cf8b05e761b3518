package io.pigateway.gateway.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts durations in buckets whose bounds grow by 2^(1/4) (about 19 %) from 10 µs to about 170 s,
 * so that a reader can take quantiles of what happened between two of its snapshots: the status
 * page's ACK latency and commit time plots. Recording is one {@link LongAdder} increment, safe from
 * any number of threads; a quantile is the upper bound of its bucket, so at most 19 % high.
 */
public final class LatencyRecorder {
    static final long FIRST_BOUND_NANOS = 10_000;
    static final int BUCKETS = 98; // the last one also takes everything beyond its bound
    private static final long[] BOUNDS = new long[BUCKETS];

    static {
        for (int i = 0; i < BUCKETS; i++) {
            BOUNDS[i] = Math.round(FIRST_BOUND_NANOS * Math.pow(2, i / 4.0));
        }
    }

    private final LongAdder[] counts = new LongAdder[BUCKETS];

    public LatencyRecorder() {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        counts[bucket(nanos)].increment();
    }

    static int bucket(long nanos) {
        if (nanos <= FIRST_BOUND_NANOS) {
            return 0;
        }
        // 4 * log2(nanos / first), rounded up: the first bound at or above nanos.
        int i = (int) Math.ceil(4 * (Math.log((double) nanos / FIRST_BOUND_NANOS) / Math.log(2)) - 1e-9);
        while (i > 0 && BOUNDS[i - 1] >= nanos) {
            i--;
        }
        while (i < BUCKETS - 1 && BOUNDS[i] < nanos) {
            i++;
        }
        return Math.min(i, BUCKETS - 1);
    }

    /** The counts so far, bucket by bucket. */
    public long[] snapshot() {
        long[] s = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            s[i] = counts[i].sum();
        }
        return s;
    }

    /**
     * The {@code q} quantile (0..1) of what was recorded between snapshots {@code before} and
     * {@code after}, in milliseconds (the bucket's upper bound); NaN if nothing was recorded.
     */
    public static double quantileMillis(long[] before, long[] after, double q) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += after[i] - before[i];
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += after[i] - before[i];
            if (seen >= rank) {
                return BOUNDS[i] / 1e6;
            }
        }
        return BOUNDS[BUCKETS - 1] / 1e6;
    }
}
