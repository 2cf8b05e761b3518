package io.pigateway.client.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: after the n-th consecutive failure the wait is uniform in
 * [min, min(max, min·2ⁿ)]. The randomness keeps a fleet of clients from reconnecting in lockstep
 * after a gateway restart. Not thread-safe; the link thread owns it.
 */
public final class ReconnectBackoff {
    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private int failures;

    public ReconnectBackoff(Duration min, Duration max, RandomGenerator random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("need 0 < min <= max, not " + min + " / " + max);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The wait before the next attempt; each call counts one more failure. */
    public Duration next() {
        failures++;
        long ceiling = ceilingNanos(failures);
        return Duration.ofNanos(minNanos + random.nextLong(ceiling - minNanos + 1));
    }

    /** The upper end of the range {@link #next()} draws from after {@code failures} failures. */
    long ceilingNanos(int failures) {
        // min·2ⁿ stays a positive long only while the shift is below min's leading zero bits.
        if (failures >= Long.numberOfLeadingZeros(minNanos)) {
            return maxNanos;
        }
        return Math.min(maxNanos, minNanos << failures);
    }

    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /** After a successful handshake: the next failure waits about {@code min} again. */
    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
