package io.pigateway.client.sensor.gpio;

import java.util.function.LongSupplier;

/**
 * Turns the edges of a bouncing contact into settled changes: a level counts once the input has
 * held it for the whole window, so a burst of bounces yields at most one change, reported with the
 * time of the burst's first edge. A burst that ends at the level it started from yields none. With a
 * zero window every edge that changes the level counts at once.
 *
 * <pre>
 *  input   ‾‾|_|‾|__|‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾|_____________
 *            ^ first edge   ^ quiet for the window: one change to 1, at the first edge's time
 * </pre>
 *
 * Thread-safe: edges arrive on the I/O library's thread, settle checks on the timer's.
 */
public final class Debouncer {

    /** Runs {@code task} once, {@code delayNanos} from now. */
    @FunctionalInterface
    public interface Timer {
        void schedule(Runnable task, long delayNanos);
    }

    /** Told each settled change. Called with the debouncer's lock held: keep it short. */
    @FunctionalInterface
    public interface Listener {
        void changed(boolean high, long atMillis);
    }

    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final LongSupplier clockMillis;
    private final Timer timer;
    private final Listener listener;

    private boolean settled;
    private boolean latest;
    private long lastEdgeNanos;
    private long burstStartMillis;
    private boolean pending;
    private boolean stopped;

    public Debouncer(long windowNanos, boolean initial, LongSupplier nanoClock, LongSupplier clockMillis, Timer timer,
                     Listener listener) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("debounce window must not be negative: " + windowNanos + " ns");
        }
        this.windowNanos = windowNanos;
        this.settled = initial;
        this.latest = initial;
        this.nanoClock = nanoClock;
        this.clockMillis = clockMillis;
        this.timer = timer;
        this.listener = listener;
    }

    /** The input went to {@code high}. */
    public synchronized void edge(boolean high) {
        if (stopped) {
            return;
        }
        if (!pending) {
            burstStartMillis = clockMillis.getAsLong();
        }
        latest = high;
        lastEdgeNanos = nanoClock.getAsLong();
        if (windowNanos == 0) {
            settle();
        } else if (!pending) {
            pending = true;
            timer.schedule(this::check, windowNanos);
        }
    }

    /** The settled level. */
    public synchronized boolean level() {
        return settled;
    }

    /** No further changes are reported once this returns. */
    public synchronized void stop() {
        stopped = true;
    }

    private synchronized void check() {
        if (stopped) {
            return;
        }
        long quiet = nanoClock.getAsLong() - lastEdgeNanos;
        if (quiet < windowNanos) {
            timer.schedule(this::check, windowNanos - quiet);
            return;
        }
        pending = false;
        settle();
    }

    private void settle() {
        if (latest != settled) {
            settled = latest;
            listener.changed(settled, burstStartMillis);
        }
    }
}
