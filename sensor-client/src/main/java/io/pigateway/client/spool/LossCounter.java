package io.pigateway.client.spool;

import java.util.concurrent.TimeUnit;

/**
 * How many readings the stream lost, and when that count is next reported as a reading of
 * {@value Spool#DROPPED_SENSOR}. A reading is lost when a full spool drops it, a write fails, or the
 * gateway refuses it for good. The stream's count is kept in the meta file across restarts; the
 * count since start is {@link io.pigateway.client.spool.ReadingSpool.Counts#dropped()}. Not
 * thread-safe; the spool's lock guards it.
 */
final class LossCounter {
    /** At most one {@value Spool#DROPPED_SENSOR} reading per interval, unless one is asked for now. */
    static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long lost;          // for the stream, persisted
    private long reported;      // the last count stored as a reading
    private long sinceStart;
    private long lastReportNanos;

    LossCounter(long lost, long reported, long nowNanos) {
        this.lost = lost;
        this.reported = reported;
        this.lastReportNanos = nowNanos - REPORT_INTERVAL_NANOS;
    }

    void lose(long n) {
        sinceStart += n;
        lost += n;
    }

    /** Readings the stream lost, over every run. */
    long lost() {
        return lost;
    }

    /** The highest count stored as a reading. */
    long reported() {
        return reported;
    }

    /** Readings lost since start. */
    long sinceStart() {
        return sinceStart;
    }

    /** A {@value Spool#DROPPED_SENSOR} reading with {@code value} was stored. */
    void stored(long value) {
        reported = Math.max(reported, value);
    }

    /**
     * The count to report now, or -1 if it did not change since the last report, or (unless
     * {@code now}) the last report was less than {@link #REPORT_INTERVAL_NANOS} ago.
     */
    long takeReport(long nowNanos, boolean now) {
        if (lost == reported || (!now && nowNanos - lastReportNanos < REPORT_INTERVAL_NANOS)) {
            return -1;
        }
        lastReportNanos = nowNanos;
        return lost;
    }

    /** Nanoseconds until a report is due (0 or less: due now); {@link Long#MAX_VALUE} if the count did not change. */
    long untilReport(long nowNanos) {
        return lost == reported ? Long.MAX_VALUE : lastReportNanos + REPORT_INTERVAL_NANOS - nowNanos;
    }
}
