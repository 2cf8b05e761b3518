package io.pigateway.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, and their percentiles (nearest rank). Not thread-safe. */
final class Percentiles {
    private long[] samples = new long[256];
    private int size;

    void add(long nanos, int count) {
        for (int i = 0; i < count; i++) {
            if (size == samples.length) {
                samples = Arrays.copyOf(samples, size * 2);
            }
            samples[size++] = nanos;
        }
    }

    void addAll(Percentiles other) {
        for (int i = 0; i < other.size; i++) {
            add(other.samples[i], 1);
        }
    }

    int size() {
        return size;
    }

    /** The {@code p}-th percentile in milliseconds, e.g. {@code p = 99}. */
    double millis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }
}
