package io.pigateway.client.spool;

import io.pigateway.client.buffer.ReadingBuffer;
import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The durable {@link ReadingBuffer}: every reading is written to a file before {@code append}
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
 *   <li><b>Failures.</b> A write that fails (disk full, read-only file system) loses that reading
 *       only: counted, logged once per streak with the path and the OS error; the client goes on.</li>
 * </ul>
 *
 * Thread-safe: sampler threads append while the link thread peeks and acknowledges.
 */
public final class Spool implements ReadingBuffer, AutoCloseable {
    /** The synthetic sensor that reports how many readings the stream lost. */
    public static final String DROPPED_SENSOR = "client.readings-dropped";
    /** How the client announces {@link #DROPPED_SENSOR} in HELLO: a count, no unit, not simulated. */
    public static final SensorInfo DROPPED_SENSOR_INFO = new SensorInfo(DROPPED_SENSOR, "", "client.lost-readings", false);
    static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Under stop-sampling, room kept free for {@value #DROPPED_SENSOR} readings. */
    static final int COUNTER_RESERVE_BYTES = 16 * RecordCodec.size(DROPPED_SENSOR);
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

    private final Path dir;
    private final SpoolConfig config;
    private final MetaFile meta;
    private final LongSupplier nanoClock;
    private final LongSupplier millisClock;
    private final long streamId;
    private final long syncIntervalNanos;
    private final RecoveryReport recovery;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ReentrantLock syncLock = new ReentrantLock(); // one flush at a time, outside the main lock
    private final ByteBuffer writeBuf = ByteBuffer.allocate(RecordCodec.MAX_RECORD);
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private final Throttle fullLog = new Throttle(DROP_LOG_INTERVAL_NANOS);
    private final FailureStreak writeFailures = new FailureStreak("write");
    private final FailureStreak flushFailures = new FailureStreak("flush");
    /** fsync calls (segment and meta file) since start: what a flush costs the SD card. */
    private final java.util.concurrent.atomic.AtomicLong fsyncs = new java.util.concurrent.atomic.AtomicLong();
    private final FailureStreak readFailures = new FailureStreak("read");
    private volatile Runnable flushListener = () -> { };

    // Everything below is guarded by lock.
    private final Segments segments;
    private boolean tailSealed;
    private long nextSeq;
    private long lastWrittenSeq;
    private long syncedSeq;                      // every record up to it is flushed, so it may be sent
    private long ackedSeq;
    private long held;
    private long unsynced;                       // appended since the last flush began
    private long appended;
    private long acknowledged;
    private long dropped;
    private final long recovered;
    private long lost;                           // for the stream, persisted
    private long reported;                       // the last lost count appended as a reading
    private long lastSyncNanos;
    private long lastReportNanos;
    private MetaFile.State lastMeta;
    private boolean refusing;                    // stop-sampling is refusing readings
    private boolean closing;
    private boolean closed;
    private Cursor cursor;                       // after the last record peekUnsent returned
    private Cursor peekStart;                    // at the first one it returned: the link often asks again from there
    private Thread syncThread;

    /** Where the next record after one that {@link #peekUnsent} returned starts. */
    private record Cursor(Segment segment, long generation, long seq, long pos) {
    }

    private Spool(Path dir, SpoolConfig config, MetaFile meta, Options options, Recovery.Result r) {
        this.dir = dir;
        this.config = config;
        this.meta = meta;
        this.nanoClock = options.nanoClock();
        this.millisClock = options.millisClock();
        this.streamId = r.streamId();
        this.syncIntervalNanos = config.syncInterval().toNanos();
        this.recovery = r.report();
        this.segments = new Segments(dir, r.streamId(), config.segments(), config.segmentBytes(), options.opener(),
                r.chain(), r.free(), r.maxGeneration());
        this.tailSealed = r.tailSealed();
        this.nextSeq = r.nextSeq();
        this.lastWrittenSeq = r.nextSeq() - 1;
        this.syncedSeq = r.nextSeq() - 1;   // recovery flushed every kept segment
        this.ackedSeq = r.ackedSeq();
        this.held = r.report().held();
        this.recovered = held;
        this.lost = r.lost();
        this.reported = r.reported();
        long now = nanoClock.getAsLong();
        this.lastSyncNanos = now;
        this.lastReportNanos = now - REPORT_INTERVAL_NANOS;
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
        Spool spool;
        try {
            Recovery.Result r = Recovery.run(dir, config.segments(), meta, options.opener(), options.restartJump());
            spool = new Spool(dir, config, meta, options, r);
            spool.writeInitialMeta(r.meta());
        } catch (IOException e) {
            meta.close();
            throw new SpoolUnusableException("spool directory " + dir + " is not usable: " + FailureStreak.describe(e), e);
        } catch (RuntimeException e) {
            meta.close();
            throw e;
        }
        spool.logOpened();
        if (options.background()) {
            spool.syncThread = Thread.ofPlatform().name("spool-sync").daemon().start(spool::syncLoop);
        }
        return spool;
    }

    /** Records the stream and reserves the seqs recovery skipped, before anything new is written. */
    private void writeInitialMeta(MetaFile.State found) throws IOException {
        MetaFile.State s = new MetaFile.State(streamId, found == null ? 0 : found.writeCount() + 1, ackedSeq,
                nextSeq - 1, lost, reported);
        meta.write(s);
        lastMeta = s;
    }

    private void logOpened() {
        String limits = String.format("up to %s in %d segment files, flushed within %d ms or every %d readings;"
                        + " when full: %s", bytes(config.maxBytes()), config.segments(), config.syncInterval().toMillis(),
                config.syncEvery(), config.fullPolicy().key());
        if (recovery.newStream()) {
            Logger.info("spool {}: new, stream {}; {}", dir, Long.toHexString(streamId), limits);
        } else {
            Logger.info("spool {}: stream {} continues at seq {}{}; {} unacknowledged readings taken over{}; {}", dir,
                    Long.toHexString(streamId), nextSeq, recovery.jump() == 0 ? "" : " (" + recovery.jump() + " seqs"
                            + " skipped, so that a restored or cloned copy of this spool never reuses one)",
                    held, lost > 0 ? ", " + lost + " lost so far" : "", limits);
        }
    }

    /** Called on the flushing thread each time newly appended readings have become sendable. */
    public void onFlushed(Runnable listener) {
        this.flushListener = Objects.requireNonNull(listener, "listener");
    }

    public Path directory() {
        return dir;
    }

    /** What opening the spool found. */
    public RecoveryReport recovery() {
        return recovery;
    }

    @Override
    public long streamId() {
        return streamId;
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
        int size = RecordCodec.size(sensor);
        LogLines lines = new LogLines();
        Reading stored = null;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("spool " + dir + " is closed");
            }
            long now = nanoClock.getAsLong();
            if (!counter) {
                appended++;
                if (config.fullPolicy() == SpoolConfig.FullPolicy.STOP_SAMPLING && room() < size + COUNTER_RESERVE_BYTES) {
                    refuse(now, lines);
                    return null;
                }
            }
            try {
                if (needsRoll(size) && !roll(now, lines)) {
                    if (!counter) { // room() said there was room: not expected, but never silent
                        loseOne();
                        lines.error("spool " + dir + ": no segment could be had for a reading; it is lost (" + lost
                                + " lost in this stream so far)");
                    }
                    return null; // a count that finds no room at all is reported later
                }
                Reading r = new Reading(nextSeq, sensor, timestampMillis, value);
                writeBuf.clear();
                RecordCodec.encode(writeBuf, tail().header.tag(), r);
                tail().writeFully(writeBuf.flip(), tail().writePos);
                tail().writePos += size;
                tail().lastSeq = r.seq();
                nextSeq++;
                lastWrittenSeq = r.seq();
                held++;
                unsynced++;
                if (counter) {
                    appended++;
                    reported = Math.max(reported, (long) value);
                } else if (refusing) {
                    refusing = false;
                    lines.info("spool " + dir + " has room again; readings are stored again (" + lost
                            + " lost in this stream so far)");
                }
                lines.info(writeFailures.succeeded(dir, lost + " readings lost in this stream so far"));
                stored = r;
                // The first unsynced record sets the flusher's deadline: wake it, or an idle flusher would
                // sleep its full MAX_WAIT and a sub-second sync-interval would not be kept.
                if (unsynced == 1 || unsynced >= config.syncEvery() || syncIntervalNanos == 0) {
                    work.signalAll();
                }
            } catch (IOException e) {
                if (!counter) {
                    loseOne();
                }
                Path path = tail() == null ? dir : tail().path;
                lines.error(writeFailures.failed(path, e, counter ? "the lost-readings count is reported later"
                        : "the reading is lost (" + lost + " lost in this stream so far); the client keeps running"));
            }
        } finally {
            lock.unlock();
            lines.log();
        }
        return stored;
    }

    private void loseOne() {
        dropped++;
        lost++;
    }

    /** stop-sampling: this reading is not stored. */
    private void refuse(long now, LogLines lines) {
        loseOne();
        boolean starts = !refusing;
        refusing = true;
        if (fullLog.allow(now) || starts) {
            lines.warn("spool " + dir + " is full (" + bytes(config.maxBytes()) + " of unacknowledged readings; the"
                    + " gateway is not keeping up or not reachable): policy stop-sampling, new readings are not stored"
                    + " until the gateway acknowledges some; " + lost + " readings lost in this stream so far");
        }
    }

    private Segment tail() {
        return segments.tail();
    }

    private boolean needsRoll(int size) {
        return tail() == null || tailSealed || tail().writePos + size > config.segmentBytes();
    }

    private long room() {
        return segments.room(tailSealed);
    }

    /**
     * Starts a new tail segment: a free one, a new file, or (drop-oldest) the oldest segment, whose
     * unacknowledged readings are dropped. False if none can be had (stop-sampling).
     */
    private boolean roll(long now, LogLines lines) throws IOException {
        Segment next = segments.spare();
        if (next == null) {
            Segment oldest = config.fullPolicy() == SpoolConfig.FullPolicy.DROP_OLDEST ? segments.removeOldest() : null;
            if (oldest == null) {
                return false;
            }
            drop(oldest, now, lines);
            next = segments.spare();
            if (next == null) {
                return false;
            }
        }
        segments.startTail(next, nextSeq);
        tailSealed = false;
        segments.releaseAcknowledged(ackedSeq);
        return true;
    }

    /** drop-oldest: {@code oldest}'s unacknowledged readings are lost; counted, logged (throttled). */
    private void drop(Segment oldest, long now, LogLines lines) {
        long n = oldest.heldAbove(ackedSeq);
        long from = Math.max(oldest.firstSeq(), ackedSeq + 1);
        long to = oldest.lastSeq;
        held -= n;
        dropped += n;
        lost += n;
        segments.release(oldest);
        if (fullLog.allow(now)) {
            lines.warn("spool " + dir + " is full (" + bytes(config.maxBytes()) + " of unacknowledged readings; the"
                    + " gateway is not keeping up or not reachable): policy drop-oldest dropped the oldest segment's "
                    + n + " unacknowledged readings" + (n > 0 ? " (seq " + from + ".." + to + ")" : "") + "; "
                    + lost + " readings lost in this stream so far");
        }
    }

    @Override
    public List<Reading> peekUnsent(long afterSeq, int max) {
        List<Reading> out = new ArrayList<>();
        LogLines lines = new LogLines();
        lock.lock();
        try {
            if (closed || max <= 0) {
                return List.of();
            }
            long from = Math.max(afterSeq, ackedSeq) + 1;
            long to = syncedSeq;
            if (from > to) {
                return List.of();
            }
            Segment at = null;
            try {
                for (Segment s : segments.live()) {
                    at = s;
                    if (s.lastSeq < from) {
                        continue;
                    }
                    long start = Math.max(from, s.firstSeq());
                    if (start > to) {
                        break;
                    }
                    RecordReader reader = readerAt(s, start);
                    if (out.isEmpty()) {
                        peekStart = new Cursor(s, s.generation(), reader.expectedSeq(), reader.position());
                    }
                    long last = Math.min(to, s.lastSeq);
                    while (out.size() < max && reader.expectedSeq() <= last) {
                        out.add(found(s, reader.next()).reading());
                    }
                    cursor = new Cursor(s, s.generation(), reader.expectedSeq(), reader.position());
                    if (out.size() >= max) {
                        break;
                    }
                    from = s.lastSeq + 1;
                }
                lines.info(readFailures.succeeded(dir, ""));
            } catch (IOException e) {
                cursor = null;
                peekStart = null;
                lines.error(readFailures.failed(at == null ? dir : at.path, e, "readings from there on cannot be sent"
                        + " until it can be read"));
            }
        } finally {
            lock.unlock();
            lines.log();
        }
        return out;
    }

    /** A reader positioned at {@code seq} in {@code s}: from the nearest cursor before it, else from the start. */
    private RecordReader readerAt(Segment s, long seq) throws IOException {
        Cursor c = null;
        for (Cursor k : new Cursor[] {cursor, peekStart}) {
            if (k != null && k.segment() == s && k.generation() == s.generation() && k.seq() <= seq
                    && (c == null || k.seq() > c.seq())) {
                c = k;
            }
        }
        RecordReader reader = c != null
                ? new RecordReader(s.channel, s.header.tag(), c.pos(), c.seq(), s.writePos, readBuf)
                : new RecordReader(s.channel, s.header.tag(), SegmentHeader.BYTES, s.firstSeq(), s.writePos, readBuf);
        while (reader.expectedSeq() < seq) {
            found(s, reader.next());
        }
        return reader;
    }

    private static RecordCodec.Found found(Segment s, RecordCodec.Decoded d) throws SpoolFormatException {
        if (d instanceof RecordCodec.Found f) {
            return f;
        }
        throw new SpoolFormatException(s.path.getFileName() + ": a record written earlier no longer reads back: " + d);
    }

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
        lock.lock();
        try {
            long upTo = Math.min(upToSeq, syncedSeq); // only what was flushed was ever handed out
            if (closed || upTo <= ackedSeq) {
                return 0;
            }
            long n = 0;
            for (Segment s : segments.live()) {
                n += s.heldAbove(ackedSeq) - s.heldAbove(upTo);
            }
            ackedSeq = upTo;
            held -= n;
            if (lostReadings) {
                dropped += n;
                lost += n;
            } else {
                acknowledged += n;
            }
            segments.releaseAcknowledged(ackedSeq);
            return (int) n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, held);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Counts counts() {
        lock.lock();
        try {
            return new Counts(appended, acknowledged, dropped, held, recovered);
        } finally {
            lock.unlock();
        }
    }

    public SpoolStats stats() {
        lock.lock();
        try {
            String problem = writeFailures.last() != null ? writeFailures.last() : flushFailures.last();
            return new SpoolStats(dir, streamId, segments.files(), segments.liveCount(), held, lastWrittenSeq - syncedSeq,
                    lost, writeFailures.total(), flushFailures.total(), problem, fsyncs.get());
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

    private boolean syncOnce() {
        syncLock.lock();
        try {
            Segment seg;
            long upTo;
            boolean records;
            MetaFile.State want;
            lock.lock();
            try {
                if (closed) {
                    return true;
                }
                upTo = lastWrittenSeq;
                records = upTo > syncedSeq;
                seg = tail();
                unsynced = 0;
                lastSyncNanos = nanoClock.getAsLong();
                want = new MetaFile.State(streamId, lastMeta.writeCount() + 1, ackedSeq,
                        Math.max(lastMeta.highWaterSeq(), upTo), lost, reported);
                if (!records && want.sameAs(lastMeta)) {
                    return true;
                }
            } finally {
                lock.unlock();
            }
            String line;
            try {
                if (records && seg != null) {
                    seg.force(); // earlier segments were flushed when the tail moved on
                    fsyncs.incrementAndGet();
                }
                if (!want.sameAs(lastMeta)) {
                    meta.write(want);
                    fsyncs.incrementAndGet();
                }
            } catch (IOException e) {
                String error;
                lock.lock();
                try {
                    error = flushFailures.failed(seg == null ? meta.path() : seg.path, e, "the readings appended since"
                            + " the last flush are not sent until a flush works, and a power cut could take them");
                } finally {
                    lock.unlock();
                }
                if (error != null) {
                    Logger.error(error);
                }
                return false;
            }
            lock.lock();
            try {
                syncedSeq = Math.max(syncedSeq, upTo);
                lastMeta = want;
                line = flushFailures.succeeded(dir, "");
            } finally {
                lock.unlock();
            }
            if (line != null) {
                Logger.info(line);
            }
            if (records) {
                flushListener.run();
            }
            return true;
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Appends a {@value #DROPPED_SENSOR} reading with the stream's lost count if it changed since the
     * last one, at most once per {@link #REPORT_INTERVAL_NANOS} unless {@code now} is set.
     */
    void reportLoss(boolean now) {
        long value;
        lock.lock();
        try {
            long t = nanoClock.getAsLong();
            if (closed || lost == reported || (!now && t - lastReportNanos < REPORT_INTERVAL_NANOS)) {
                return;
            }
            lastReportNanos = t;
            value = lost;
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
                Logger.error(e, "spool {}: flushing failed; trying again in 1 s", dir);
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
                if (lastWrittenSeq > syncedSeq || ackedSeq != lastMeta.ackedSeq()) { // includes a failed flush
                    long due = lastSyncNanos + syncIntervalNanos - now;
                    if (due <= 0) {
                        return true;
                    }
                    wait = Math.min(wait, due);
                }
                if (lost != reported) {
                    long due = lastReportNanos + REPORT_INTERVAL_NANOS - now;
                    if (due <= 0) {
                        return true;
                    }
                    wait = Math.min(wait, due);
                }
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
        syncLock.lock();
        lock.lock();
        try {
            closed = true;
            segments.closeAll();
            meta.close();
        } finally {
            lock.unlock();
            syncLock.unlock();
        }
    }

    static String bytes(long n) {
        if (n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n % (1L << 10) == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " bytes";
    }
}
