package io.pigateway.client.spool;

import io.pigateway.protocol.Reading;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * Makes drops visible without a line per dropped reading: the first drop is logged at once, then at
 * most one line per interval, each with the running total. Called outside the buffer's lock.
 */
final class DropWarning {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int capacity;
    private final LongSupplier nanoClock;
    private long lastLogNanos;
    private long loggedTotal;
    private boolean logged;

    DropWarning(int capacity, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.nanoClock = nanoClock;
    }

    /** {@code total} is the running count including {@code dropped}; returns true if a line was logged. */
    synchronized boolean dropped(Reading dropped, long total) {
        long now = nanoClock.getAsLong();
        if (logged && now - lastLogNanos < INTERVAL_NANOS) {
            return false;
        }
        Logger.warn("buffer full ({} unacknowledged readings, the gateway is not keeping up or not reachable):"
                        + " dropped the oldest, seq {} of sensor {}; {} dropped since start ({} since the last such line)",
                capacity, dropped.seq(), dropped.sensor(), total, total - loggedTotal);
        logged = true;
        lastLogNanos = now;
        loggedTotal = total;
        return true;
    }
}
