package io.pigateway.client.spool;

/** Lets the first event through, then at most one per interval. Not thread-safe. */
final class Throttle {
    private final long intervalNanos;
    private boolean used;
    private long lastNanos;

    Throttle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    boolean allow(long nowNanos) {
        if (used && nowNanos - lastNanos < intervalNanos) {
            return false;
        }
        used = true;
        lastNanos = nowNanos;
        return true;
    }
}
