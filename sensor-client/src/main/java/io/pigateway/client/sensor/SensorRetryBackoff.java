package io.pigateway.client.sensor;

/**
 * When to try a failing sensor again: after the first failure at the next regular sample, then after
 * 2, 4, 8, ... intervals, never waiting longer than {@code max} (or one interval, if that is longer).
 * Back to every interval after a success. Time is in nanoseconds from a monotonic clock.
 */
final class SensorRetryBackoff {
    private final long intervalNanos;
    private final long maxNanos;
    private int failures;
    private long retryAtNanos;

    SensorRetryBackoff(long intervalNanos, long maxNanos) {
        this.intervalNanos = intervalNanos;
        this.maxNanos = Math.max(intervalNanos, maxNanos);
    }

    /**
     * True if a read should happen at {@code now}. Half an interval of slack, so a scheduler tick that
     * comes a little early does not cost a whole interval.
     */
    boolean due(long now) {
        return failures == 0 || now - (retryAtNanos - intervalNanos / 2) >= 0;
    }

    /** Records a failed read at {@code now}; returns the wait before the next attempt. */
    long failed(long now) {
        failures++;
        long wait = failures >= 63 ? maxNanos : Math.min(maxNanos, intervalNanos << Math.min(failures - 1, 62));
        if (wait <= 0) { // the shift overflowed
            wait = maxNanos;
        }
        retryAtNanos = now + wait;
        return wait;
    }

    void succeeded() {
        failures = 0;
    }

    long maxNanos() {
        return maxNanos;
    }
}
