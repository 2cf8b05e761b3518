package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
import java.time.Duration;
import io.pigateway.gateway.metrics.StoreHealth;
import java.time.Instant;
import java.util.Locale;
import org.tinylog.Logger;

/**
 * Whether the database is failing, shared by all writers, so an outage logs one warning when it
 * starts and one line when commits succeed again, not a line per failed batch.
 */
final class Outage {
    private final String store;
    private final Duration backoffMax;
    private volatile boolean down;
    /** What kind of outage; logged again when it changes (an unreachable server comes back read-only). */
    private StoreHealth.State state = StoreHealth.State.UP;
    private long sinceNanos;
    private long failedBatches;
    /** For /health and /metrics: when the outage began (wall clock), its last error, how many there were. */
    private Instant downSince;
    private String lastError;
    private long outages;
    /** The last commit or successful probe: the prober checks a database that has been quiet for long. */
    private long lastOkNanos = System.nanoTime();
    private volatile Store.AvailabilityListener listener = Store.AvailabilityListener.NONE;

    Outage(String store, Duration backoffMax) {
        this.store = store;
        this.backoffMax = backoffMax;
    }

    boolean down() {
        return down;
    }

    void listener(Store.AvailabilityListener l) {
        listener = l;
    }

    /** Returns true if this failure started an outage (and was logged). */
    synchronized boolean failed(Throwable cause, int batches) {
        failedBatches += batches;
        lastError = ErrorText.of(cause);
        if (down) {
            stillFailing(cause);
            return false;
        }
        down = true;
        state = state(cause);
        sinceNanos = System.nanoTime();
        downSince = Instant.now();
        outages++;
        Logger.warn("{} {}: {} ({}); refusing what cannot be committed and reconnecting with backoff up to {} s",
                store, what(state), ErrorText.of(cause), SqlErrors.codes(cause), seconds(backoffMax.toNanos()));
        listener.failing(ErrorText.of(cause));
        return true;
    }

    /** Returns true if this commit ended an outage (and was logged). */
    synchronized boolean committed() {
        return up("is committing again");
    }

    /** The prober reached the database again: the outage is over even before the next commit. */
    synchronized boolean reachable() {
        return up("takes writes again");
    }

    /** Returns true if this ended an outage, logged as the store {@code doing} again after so long. */
    private boolean up(String doing) {
        lastOkNanos = System.nanoTime();
        if (!down) {
            return false;
        }
        down = false;
        state = StoreHealth.State.UP;
        Logger.info("{} {} after {} s; {} batches failed meanwhile and were not acknowledged",
                store, doing, seconds(System.nanoTime() - sinceNanos), failedBatches);
        failedBatches = 0;
        listener.available();
        return true;
    }

    /** A probe during the outage failed too: keeps the error that /health reports current. */
    synchronized void stillFailing(Throwable cause) {
        if (!down) {
            return;
        }
        lastError = ErrorText.of(cause);
        StoreHealth.State now = state(cause);
        if (now != state) {
            state = now;
            Logger.warn("{} is now {}: {} ({})", store, what(now), lastError, SqlErrors.codes(cause));
        } else {
            Logger.debug("{} still failing: {}", store, lastError);
        }
    }

    /** The kind of outage an error means. */
    static StoreHealth.State state(Throwable cause) {
        return switch (SqlErrors.of(cause)) {
            case CONNECTION_LOST -> StoreHealth.State.UNREACHABLE;
            case READ_ONLY -> StoreHealth.State.READ_ONLY;
            case FULL -> StoreHealth.State.FULL;
            case CONFLICT, DATA, OTHER -> StoreHealth.State.FAILING;
        };
    }

    private static String what(StoreHealth.State state) {
        return switch (state) {
            case UNREACHABLE -> "is unreachable";
            case READ_ONLY -> "is read-only (it refuses every write)";
            case FULL -> "is full (a table or the disk)";
            default -> "failed";
        };
    }

    synchronized StoreHealth.State state() {
        return state;
    }

    /** Nanoseconds since the last commit or successful probe. */
    synchronized long quietNanos() {
        return System.nanoTime() - lastOkNanos;
    }

    /** Up, or down since when and why; with the number of outages so far. */
    synchronized StoreHealth status() {
        return down ? new StoreHealth(false, downSince, lastError, outages, state)
                : new StoreHealth(true, null, null, outages, StoreHealth.State.UP);
    }

    /** Milliseconds since the outage began, or 0 if the database is up. */
    synchronized long downForMillis() {
        return down ? (System.nanoTime() - sinceNanos) / 1_000_000 : 0;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
