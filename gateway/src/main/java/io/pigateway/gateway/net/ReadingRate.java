package io.pigateway.gateway.net;

import java.util.function.LongSupplier;

/**
 * A token bucket for one device's readings: {@code perSecond} tokens a second, at most {@code burst}
 * saved up. A frame takes as many tokens as it has readings, or none if there are not enough, in
 * which case the answer is how long until there will be. Thread-safe; one per device, kept across
 * reconnects so reconnecting does not refill it.
 */
public final class ReadingRate {
    private final long perSecond;
    private final long burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastNanos;

    ReadingRate(long perSecond, long burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastNanos = nanoClock.getAsLong();
    }

    /** 0 if {@code readings} were taken, else the milliseconds until they could be (at least 1). */
    public synchronized long take(int readings) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastNanos) * (double) perSecond / 1e9);
        lastNanos = now;
        if (tokens >= readings) {
            tokens -= readings;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((readings - tokens) * 1000.0 / perSecond));
    }

    long perSecond() {
        return perSecond;
    }

    long burst() {
        return burst;
    }
}
