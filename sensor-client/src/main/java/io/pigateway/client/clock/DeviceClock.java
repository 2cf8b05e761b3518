package io.pigateway.client.clock;

import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The time a reading gets, on a Pi whose clock may not be right yet. A Pi has no real-time clock
 * (a Pi 5 only with a battery added): after a power cut it boots in 1970 until NTP sets the clock,
 * and without network that may take hours. The client starts sampling at once regardless.
 *
 * <ul>
 *   <li>A wall clock at or after {@link #NOT_BEFORE_MILLIS} (2025-01-01) is taken as right: a
 *       reading gets the wall clock's time.</li>
 *   <li>Before that, a reading is stamped with <b>1 + the milliseconds since this clock was made</b>
 *       (the client's start, on the monotonic clock, which no clock setting moves): a value far
 *       below {@link #UNKNOWN_BEFORE_MILLIS} (2000-01-01), so it can never pass for a time.</li>
 *   <li>When such a reading is sent ({@link #correct}), it is converted into a time, as soon as this
 *       client run knows one: from the wall clock once that is past 2025, or else from the
 *       gateway's clock received in HELLO_OK (if that is past 2025), corrected by half the
 *       handshake's round trip. The link sends only after a HELLO_OK, so a reading sampled in this
 *       run is always converted.</li>
 *   <li>A reading stamped by an earlier run (the client restarted before it could send it) cannot
 *       be converted: the monotonic origin is gone. It keeps its value, and the gateway stores a
 *       device time in the first days of 1970: the mark of "time unknown" (docs/DASHBOARDS.md).</li>
 * </ul>
 *
 * A wall clock that boots with a plausible but stale time (fake-hwclock, systemd-timesyncd's saved
 * clock) cannot be told from a right one; see docs/SPOOL.md. Thread-safe.
 *
 * <p>{@link #system()} serves one client per process, as deployed: {@link #runStartsAt} holds the seq of
 * that client's spool. Several clients in one JVM with a clock before 2025 need one instance each.
 */
public final class DeviceClock {
    /** Device times before 2000-01-01T00:00:00Z are not times: a reading sampled before the clock was known good. */
    public static final long UNKNOWN_BEFORE_MILLIS = 946_684_800_000L;
    /** A wall clock before 2025-01-01T00:00:00Z cannot be right: this client was built after that. */
    public static final long NOT_BEFORE_MILLIS = 1_735_689_600_000L;
    private static final long NONE = Long.MIN_VALUE;
    private static final DeviceClock SYSTEM = new DeviceClock(System::currentTimeMillis, System::nanoTime);

    private final LongSupplier wallMillis;
    private final LongSupplier monoNanos;
    private final long startNanos;
    /** The true time minus {@link #sinceStartMillis()}, from a gateway's HELLO_OK; NONE until one came. */
    private volatile long gatewayOffset = NONE;
    /** Readings with a seq below it were stamped by an earlier run. */
    private volatile long firstSeq = 1;
    private volatile Boolean wallWasGood;

    public DeviceClock(LongSupplier wallMillis, LongSupplier monoNanos) {
        this.wallMillis = wallMillis;
        this.monoNanos = monoNanos;
        this.startNanos = monoNanos.getAsLong();
    }

    /** The one of this process, on the system's clocks. */
    public static DeviceClock system() {
        return SYSTEM;
    }

    /** The time for a reading sampled now: the wall clock if it is past 2025, else 1 + ms since start. */
    public long stamp() {
        long wall = wallMillis.getAsLong();
        boolean good = wall >= NOT_BEFORE_MILLIS;
        if (!Boolean.valueOf(good).equals(wallWasGood)) {
            changed(good, wall);
        }
        return good ? wall : 1 + sinceStartMillis();
    }

    /** Readings with a seq from {@code seq} on are stamped by this run (the spool's next seq at start). */
    public void runStartsAt(long seq) {
        firstSeq = seq;
    }

    /**
     * The gateway's clock in a HELLO_OK, read between {@code sentNanos} (HELLO sent) and {@code
     * receivedNanos} on this clock's monotonic source; ignored unless it is past 2025 itself.
     */
    public void gatewayClock(long gatewayMillis, long sentNanos, long receivedNanos) {
        if (gatewayMillis < NOT_BEFORE_MILLIS) {
            return;
        }
        long midpoint = sentNanos + (receivedNanos - sentNanos) / 2;
        gatewayOffset = gatewayMillis - (midpoint - startNanos) / 1_000_000;
    }

    /**
     * The device time to send for a stored reading: a stamp of this run taken before the clock was
     * known good, converted into a time if one is known; any other value as it is.
     */
    public long correct(long seq, long stamp) {
        if (stamp >= UNKNOWN_BEFORE_MILLIS || seq < firstSeq) {
            return stamp;
        }
        long offset = offset();
        return offset == NONE ? stamp : stamp - 1 + offset;
    }

    /** The true time minus {@link #sinceStartMillis()}, or NONE. */
    private long offset() {
        long now = sinceStartMillis();
        long wall = wallMillis.getAsLong();
        return wall >= NOT_BEFORE_MILLIS ? wall - now : gatewayOffset;
    }

    private long sinceStartMillis() {
        return (monoNanos.getAsLong() - startNanos) / 1_000_000;
    }

    private synchronized void changed(boolean good, long wall) {
        if (Boolean.valueOf(good).equals(wallWasGood)) {
            return;
        }
        boolean first = wallWasGood == null;
        wallWasGood = good;
        if (!good) {
            Logger.warn("the system clock says {} ms since 1970, before 2025: it is not set yet (no real-time clock, no"
                    + " NTP yet); readings are stamped with the time since the client started and converted into times"
                    + " when sent, from the system clock once it is set or from the gateway's clock", wall);
        } else if (!first) {
            Logger.info("the system clock is set now ({} ms since 1970); readings get its time again", wall);
        }
    }
}
