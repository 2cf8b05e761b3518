package io.pigateway.gateway.net;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets at most {@code perWindow} lines of one kind through per window, so that a port scanner or a
 * misconfigured fleet cannot flood the journal; the first line after lines were held back says how
 * many there were.
 */
public final class LogLimiter {
    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    public LogLimiter(int perWindow, Duration window, LongSupplier nanoClock) {
        if (perWindow < 1) {
            throw new IllegalArgumentException("perWindow must be >= 1, not " + perWindow);
        }
        this.perWindow = perWindow;
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /**
     * {@code null} if this line is to be left out; otherwise what to append to it: empty, or a note
     * of the lines left out since the last one logged.
     */
    public synchronized String admit() {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= perWindow) {
            suppressed++;
            return null;
        }
        inWindow++;
        if (suppressed == 0) {
            return "";
        }
        String note = " (" + suppressed + " more like it not logged before this one)";
        suppressed = 0;
        return note;
    }
}
