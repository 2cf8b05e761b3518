package io.pigateway.gateway.store;

import java.time.Duration;

/** Pauses between attempts to reach a database that failed: 100 ms, doubling, capped at the maximum. */
final class DatabaseBackoff {
    static final Duration FIRST = Duration.ofMillis(100);

    private final Duration max;
    private int failures;

    DatabaseBackoff(Duration max) {
        this.max = max;
    }

    /** Whether the last attempt failed, so the next one should wait {@link #delay()}. */
    boolean pending() {
        return failures > 0;
    }

    Duration delay() {
        if (failures == 0) {
            return Duration.ZERO;
        }
        // Shift at most 20 times: 100 ms << 20 is 29 hours, beyond any sensible maximum, and no overflow.
        Duration d = FIRST.multipliedBy(1L << Math.min(failures - 1, 20));
        return d.compareTo(max) > 0 ? max : d;
    }

    void failed() {
        failures++;
    }

    void succeeded() {
        failures = 0;
    }
}
