package io.pigateway.client.spool;

import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * The durable {@link ReadingSpool}: every reading is written to a file before {@code append}
 * returns, flushed to the storage on a schedule, handed to the link only once flushed, and removed
 * only when an ACK covers it. It survives restarts, crashes and power cuts; the stream id and the
 * sequence numbers go on (after a jump, {@link SeqJump}). The format, byte by byte, is in docs/SPOOL.md and
 * next to the code that reads it: {@link MetaFile}, {@link SegmentHeader}, {@link RecordCodec};
 * what a restart keeps is in {@link Recovery}.
 *
 * <ul>
 *   <li><b>Flushing.</b> A background thread flushes ({@code FileChannel.force}) at most
 *       {@code spool.sync-interval} after an append, or as soon as {@code spool.sync-every}
 *       readings wait. {@link #peekUnsent} returns flushed readings only: a reading the gateway has
 *       is always on disk, so a power cut can never make the client use its seq again. The cost is
 *       latency (up to the interval); what a power cut can take is the unflushed readings.</li>
 *   <li><b>Space.</b> At most {@code spool.max-bytes}, in fixed segment files that are reused, never
 *       deleted and created again. When full, {@code spool.full-policy} decides: drop the oldest
 *       segment's unacknowledged readings, or store no new ones until ACKs free a segment.</li>
 *   <li><b>Loss is visible.</b> Every reading lost (dropped when full, or not stored because a write
 *       failed) is counted for the stream, logged (throttled, with the running count), and
 *       reported through the spool as a reading of sensor {@value #DROPPED_SENSOR} whose value is
 *       the count, at most once a second when it changed.</li>
 *   <li><b>Removal has two phases.</b> An ACK removes readings in memory at once (no longer sent or
 *       held; a segment all of whose readings are acknowledged may be reused); the next flush records
 *       it on disk, in the meta file. A restart before that sends them again, and the gateway ignores
 *       the duplicates.</li>
 *   <li><b>Failures.</b> A write that fails (disk full, read-only file system) loses that reading
 *       only: counted, logged once per streak with the path and the OS error; the client goes on.</li>
 * </ul>
 *
 * <p>Three parts: {@link SpoolFile} does the file work (append, peek, ack, flush over the segments),
 * single-threaded; {@link LossCounter} counts what is lost; this class is the thread-safe
 * {@link ReadingSpool} the link and the samplers use: one lock around the spool file, and the
 * flushing thread. Sampler threads append while the link thread peeks and acknowledges.
 */
public final class Spool implements ReadingSpool, AutoCloseable {
    /** The synthetic sensor that reports how many readings the stream lost. */
    public static final String DROPPED_SENSOR = "client.readings-dropped";
    /** How the client announces {@link #DROPPED_SENSOR} in HELLO: a count, no unit, not simulated. */
    public static final SensorInfo DROPPED_SENSOR_INFO = new SensorInfo(DROPPED_SENSOR, "", "client.lost-readings", false);
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Seams for tests: file channels, clocks, whether the flushing thread runs, and the seq jump at a
     * restart ({@link SeqJump}).
     */
    record Options(ChannelOpener opener, LongSupplier nanoClock, LongSupplier millisClock, boolean background,
                   LongSupplier restartJump) {
        static Options standard() {
            return new Options(ChannelOpener.FILES, System::nanoTime, System::currentTimeMillis, true, SeqJump::random);
        }

        /** Without the restart jump: for tests that follow seqs across restarts one by one. */
        Options(ChannelOpener opener, LongSupplier nanoClock, LongSupplier millisClock, boolean background) {
            this(opener, nanoClock, millisClock, background, () -> 0);
        }
    }

    private final SpoolFile file;                // guarded by lock; its write(Flush) by flushLock alone
    private final SpoolConfig config;
    private final LongSupplier nanoClock;
    private final LongSupplier millisClock;
    private final long syncIntervalNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ReentrantLock flushLock = new ReentrantLock(); // one flush at a time, its I/O outside the main lock
    private volatile Runnable flushListener = () -> { };

    // Everything below is guarded by lock.
    private long unsynced;                       // appended since the last flush began
    private long lastSyncNanos;
    private boolean closing;
    private boolean closed;
    private Thread syncThread;

    private Spool(SpoolFile file, SpoolConfig config, Options options) {
        this.file = file;
        this.config = config;
        this.nanoClock = options.nanoClock();
        this.millisClock = options.millisClock();
        this.syncIntervalNanos = config.syncInterval().toNanos();
        this.lastSyncNanos = nanoClock.getAsLong();
    }

    /**
     * Opens (or creates) the spool of {@code deviceId} in {@code <config.dir()>/<deviceId>/}, recovering
     * what an earlier run left, and starts the flushing thread.
     *
     * @throws SpoolUnusableException naming the path, if the directory cannot be made, written or read
     */
    public static Spool open(SpoolConfig config, String deviceId) {
        return open(config, deviceId, Options.standard());
    }

    /** As {@link #open(SpoolConfig, String)}, stamping its own readings ({@value #DROPPED_SENSOR}) with {@code clockMillis}. */
    public static Spool open(SpoolConfig config, String deviceId, LongSupplier clockMillis) {
        Options o = Options.standard();
        return open(config, deviceId, new Options(o.opener(), o.nanoClock(), clockMillis, o.background(), o.restartJump()));
    }

    static Spool open(SpoolConfig config, String deviceId, Options options) {
        Identifiers.require("device id", deviceId);
        Path dir = SpoolDirectory.prepare(config.dir(), deviceId);
        MetaFile meta = SpoolDirectory.openMeta(dir, options.opener());
        SpoolFile file = SpoolFile.open(dir, config, meta, options.opener(), options.restartJump(),
                options.nanoClock().getAsLong());
        Spool spool = new Spool(file, config, options);
        file.logOpened();
        if (options.background()) {
            spool.syncThread = Thread.ofPlatform().name("spool-sync").daemon().start(spool::syncLoop);
        }
        return spool;
    }

    /** Called on the flushing thread each time newly appended readings have become sendable. */
    public void onFlushed(Runnable listener) {
        this.flushListener = Objects.requireNonNull(listener, "listener");
    }

    public Path directory() {
        return file.directory();
    }

    /** What opening the spool found. */
    public RecoveryReport recovery() {
        return file.recovery();
    }

    @Override
    public long streamId() {
        return file.streamId();
    }

    /**
     * Writes the reading to the spool (flushed later, see the class comment).
     *
     * @return the reading with its seq, or {@code null} if it was not stored: the spool is full under
     *         {@code stop-sampling}, or the write failed; either way it is counted as lost
     * @throws IllegalArgumentException if {@code value} is NaN or infinite, or the name is not an identifier
     * @throws IllegalStateException    after {@link #close()}
     */
    @Override
    public Reading append(String sensor, long timestampMillis, double value) {
        return store(sensor, timestampMillis, value, false);
    }

    private Reading store(String sensor, long timestampMillis, double value, boolean counter) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("sensor " + sensor + ": value " + value + " cannot be sent");
        }
        Identifiers.require("sensor name", sensor);
        LogLines lines = new LogLines();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("spool " + file.directory() + " is closed");
            }
            Reading stored = file.append(sensor, timestampMillis, value, counter, nanoClock.getAsLong(), lines);
            if (stored != null) {
                unsynced++;
                // The first unsynced record sets the flusher's deadline: wake it, or an idle flusher would
                // sleep its full MAX_WAIT and a sub-second sync-interval would not be kept.
                if (unsynced == 1 || unsynced >= config.syncEvery() || syncIntervalNanos == 0) {
                    work.signalAll();
                }
            }
            return stored;
        } finally {
            lock.unlock();
            lines.log();
        }
    }

    @Override
    public List<Reading> peekUnsent(long afterSeq, int max) {
        LogLines lines = new LogLines();
        lock.lock();
        try {
            return closed ? List.of() : file.peek(afterSeq, max, lines);
        } finally {
            lock.unlock();
            lines.log();
        }
    }

    /** Removes the readings up to {@code upToSeq} now; on disk at the next flush ({@link SpoolFile}'s two phases). */
    @Override
    public int ack(long upToSeq) {
        return forget(upToSeq, false);
    }

    /** As {@link #ack}, but the readings count as lost: reported in {@value #DROPPED_SENSOR} like a full spool's. */
    @Override
    public int discard(long upToSeq) {
        int n = forget(upToSeq, true);
        if (n > 0) {
            reportLoss(true);
        }
        return n;
    }

    private int forget(long upToSeq, boolean lostReadings) {
        return locked(() -> closed ? 0 : file.ack(upToSeq, lostReadings));
    }

    @Override
    public int size() {
        return locked(() -> (int) Math.min(Integer.MAX_VALUE, file.held()));
    }

    @Override
    public Counts counts() {
        return locked(file::counts);
    }

    public SpoolStats stats() {
        return locked(file::stats);
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Flushes what was appended so far, records the positions in the meta file, and makes the
     * readings sendable. Runs on the flushing thread on schedule; call it to flush now (e.g. when
     * sampling stopped). A failure is logged (once per streak) and retried on the next flush.
     */
    public void sync() {
        syncOnce();
    }

    /** One flush; its I/O runs under {@code flushLock} only, so appends go on meanwhile. False if it failed. */
    private boolean syncOnce() {
        flushLock.lock();
        try {
            SpoolFile.Flush flush = locked(() -> {
                if (closed) {
                    return null;
                }
                unsynced = 0;
                lastSyncNanos = nanoClock.getAsLong();
                return file.beginFlush();
            });
            if (flush == null) { // closed, or nothing to write
                return true;
            }
            try {
                file.write(flush);
            } catch (IOException e) {
                String error = locked(() -> file.flushFailed(flush, e));
                if (error != null) {
                    Logger.error(error);
                }
                return false;
            }
            String line = locked(() -> file.flushed(flush));
            if (line != null) {
                Logger.info(line);
            }
            if (flush.records()) {
                flushListener.run();
            }
            return true;
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Appends a {@value #DROPPED_SENSOR} reading with the stream's lost count if it changed since the
     * last one, at most once per {@link LossCounter#REPORT_INTERVAL_NANOS} unless {@code now} is set.
     */
    void reportLoss(boolean now) {
        long value;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            value = file.loss().takeReport(nanoClock.getAsLong(), now);
            if (value < 0) {
                return;
            }
        } finally {
            lock.unlock();
        }
        store(DROPPED_SENSOR, millisClock.getAsLong(), value, true);
    }

    private void syncLoop() {
        while (true) {
            try {
                if (!awaitWork()) {
                    return;
                }
                reportLoss(false);
                if (!syncOnce()) {
                    pause(Math.max(syncIntervalNanos, MAX_WAIT_NANOS)); // a failing disk is not hammered
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                Logger.error(e, "spool {}: flushing failed; trying again in 1 s", file.directory());
                try {
                    pause(MAX_WAIT_NANOS);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Waits until a flush or a loss report is due; false when closing. */
    private boolean awaitWork() throws InterruptedException {
        lock.lock();
        try {
            while (!closing) {
                long now = nanoClock.getAsLong();
                long wait = MAX_WAIT_NANOS;
                if (unsynced >= config.syncEvery()) {
                    return true;
                }
                if (file.flushPending()) { // includes a failed flush, and ACKs not yet on disk
                    long due = lastSyncNanos + syncIntervalNanos - now;
                    if (due <= 0) {
                        return true;
                    }
                    wait = Math.min(wait, due);
                }
                long report = file.loss().untilReport(now);
                if (report <= 0) {
                    return true;
                }
                wait = Math.min(wait, report);
                work.awaitNanos(wait);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void pause(long nanos) throws InterruptedException {
        lock.lock();
        try {
            if (!closing) {
                work.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the flushing thread, reports a changed lost count, flushes, and closes the files. What
     * is held stays for the next start. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (syncThread != null) {
            try {
                if (!syncThread.join(java.time.Duration.ofSeconds(5))) {
                    syncThread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        reportLoss(true);
        syncOnce();
        flushLock.lock();
        lock.lock();
        try {
            closed = true;
            file.close();
        } finally {
            lock.unlock();
            flushLock.unlock();
        }
    }
}
