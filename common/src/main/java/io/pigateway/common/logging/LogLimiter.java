package io.pigateway.common.logging;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets at most {@code perWindow} lines of one kind through per window, so that a port scanner or a
 * misconfigured fleet cannot flood the journal; the first line after lines were held back says how
 * many there were. The one log throttle of both programs.
 */
public final class LogLimiter {
    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    /** Whether a window has begun: the first line begins one, so a clock of any origin works. */
    private boolean started;
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
    }

    /** For callers that pass their own time to {@link #admit(long)}. */
    public LogLimiter(int perWindow, Duration window) {
        this(perWindow, window, () -> {
            throw new IllegalStateException("this limiter is given the time by its caller: admit(nowNanos)");
        });
    }

    /**
     * {@code null} if this line is to be left out; otherwise what to append to it: empty, or a note
     * of the lines left out since the last one logged.
     */
    public String admit() {
        return admit(nanoClock.getAsLong());
    }

    /** As {@link #admit()}, at {@code now} (nanoseconds of any fixed origin). */
    public synchronized String admit(long now) {
        if (!started || now - windowStart >= windowNanos) {
            started = true;
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
