package io.pigateway.gateway.auth;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows down an address that keeps failing to authenticate: after its n-th failure in a row, the
 * gateway waits {@code 250 ms × 2^(n-1)}, at most {@value #MAX_DELAY_MILLIS} ms, before it sends the
 * next CHALLENGE to that address. An address is forgiven {@value #FORGET_AFTER_MINUTES} minutes after
 * its last failure, or at once when a device from it authenticates. Guessing secrets from one address
 * thus costs minutes per hundred tries, while a device whose secret was just fixed gets in promptly.
 */
public final class FailurePenalty {
    static final long FIRST_DELAY_MILLIS = 250;
    static final long MAX_DELAY_MILLIS = 10_000;
    static final long FORGET_AFTER_MINUTES = 10;
    /** Addresses remembered at most; beyond it the oldest memories go (an attacker with many addresses is not slowed by this anyway). */
    static final int MAX_ADDRESSES = 10_000;

    private record Record(int failures, long lastNanos) { }

    private final Map<InetAddress, Record> records = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public FailurePenalty() {
        this(System::nanoTime);
    }

    FailurePenalty(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Counts a failed authentication from {@code address}; returns its failures in a row. */
    public int failed(InetAddress address) {
        long now = nanoClock.getAsLong();
        if (records.size() >= MAX_ADDRESSES) {
            forgetOld(now);
        }
        return records.merge(address, new Record(1, now),
                (old, one) -> expired(old, now) ? one : new Record(old.failures + 1, now)).failures;
    }

    public void succeeded(InetAddress address) {
        records.remove(address);
    }

    /** How long to wait before answering a new connection from {@code address}. */
    public Duration delay(InetAddress address) {
        Record r = records.get(address);
        if (r == null || expired(r, nanoClock.getAsLong())) {
            return Duration.ZERO;
        }
        int doublings = Math.min(r.failures - 1, 20);
        return Duration.ofMillis(Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << doublings));
    }

    private void forgetOld(long now) {
        records.values().removeIf(r -> expired(r, now));
        if (records.size() >= MAX_ADDRESSES) {
            records.clear();
        }
    }

    private static boolean expired(Record r, long now) {
        return now - r.lastNanos > Duration.ofMinutes(FORGET_AFTER_MINUTES).toNanos();
    }
}
