package io.pigateway.client.config;

import java.time.Duration;

/** Bounds of the randomised exponential wait between connection attempts. */
public record ReconnectConfig(Duration backoffMin, Duration backoffMax) {
    public ReconnectConfig {
        if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("need 0 < backoffMin <= backoffMax, not " + backoffMin + " / " + backoffMax);
        }
    }
}
