package io.pigateway.client.spool;

import io.pigateway.common.logging.LogLimiter;
import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Reading;
import java.time.Duration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * One stream's spool directory: a meta file and a chain of segment files, with append, peek,
 * acknowledge and flush over them. The format, byte by byte, is in {@link MetaFile},
 * {@link SegmentHeader} and {@link RecordCodec}; what opening keeps is in {@link Recovery}.
 *
 * <ul>
 *   <li><b>Append</b> writes the record to the tail segment before it returns, with the next seq,
 *       and does not flush it. When the spool is full, {@code spool.full-policy} decides: drop the
 *       oldest segment's unacknowledged readings, or store no new ones.</li>
 *   <li><b>Peek</b> returns flushed records only, oldest first, from the first unacknowledged one: a
 *       reading the gateway has is on disk, so a power cut never makes the client use its seq again.</li>
 *   <li><b>Removal has two phases.</b> {@link #ack} removes readings in memory at once: peek no longer
 *       returns them, they no longer count as held, and a segment whose readings are all acknowledged
 *       is free to be reused. On disk they are removed at the next flush, which records the
 *       acknowledged seq in the meta file; a restart before that offers them again (the gateway
 *       ignores duplicates).</li>
 *   <li><b>Flush</b> forces the tail segment and writes the meta file; only then do the readings
 *       appended before it become peekable. It has three steps so that its slow part can run without
 *       the caller's lock: {@link #beginFlush}, {@link #write(Flush)}, then {@link #flushed} or
 *       {@link #flushFailed}.</li>
 * </ul>
 *
 * <p>Not thread-safe: the caller serialises every call, except that {@link #write(Flush)} (which
 * touches only the flushed segment's channel and the meta file) may run while other calls go on, one
 * flush at a time. {@link Spool} does that. Methods that decide a log line add it to a
 * {@link LogLines} for the caller to log after releasing its lock.
 */
final class SpoolFile {
    static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Under stop-sampling, room kept free for {@value Spool#DROPPED_SENSOR} readings. */
    static final int COUNTER_RESERVE_BYTES = 16 * RecordCodec.size(Spool.DROPPED_SENSOR);

    private final Path dir;
    private final SpoolConfig config;
    private final MetaFile meta;
    private final long streamId;
    private final RecoveryReport recovery;
    private final Segments segments;
    private final LossCounter loss;
    private final long recovered;

    private final ByteBuffer writeBuf = ByteBuffer.allocate(RecordCodec.MAX_RECORD);
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private final LogLimiter fullLog = new LogLimiter(1, Duration.ofNanos(DROP_LOG_INTERVAL_NANOS));
    private final FailureStreak writeFailures = new FailureStreak("write");
    private final FailureStreak flushFailures = new FailureStreak("flush");
    private final FailureStreak readFailures = new FailureStreak("read");
    /** fsync calls (segment and meta file) since start: what a flush costs the SD card. */
    private final AtomicLong fsyncs = new AtomicLong();

    private boolean tailSealed;
    private long nextSeq;
    private long lastWrittenSeq;
    private long flushedSeq;                     // every record up to it is flushed, so it may be sent
    private long ackedSeq;
    private long held;
    private long appended;
    private long acknowledged;
    private boolean refusing;                    // stop-sampling is refusing readings
    private MetaFile.State lastMeta;             // changed only by a flush (one at a time) and at open
    private Cursor cursor;                       // after the last record peek returned
    private Cursor peekStart;                    // at the first one it returned: the link often asks again from there

    /** Where the next record after one that {@link #peek} returned starts. */
    private record Cursor(Segment segment, long generation, long seq, long pos) {
    }

    /**
     * What one flush writes: the segment to force (null if none), the seq every record up to which
     * it makes peekable, and the meta file state, written unless {@code writeMeta} is false.
     */
    record Flush(Segment segment, long upTo, boolean records, MetaFile.State meta, boolean writeMeta) {
    }

    private SpoolFile(Path dir, SpoolConfig config, MetaFile meta, ChannelOpener opener, Recovery.Result r,
                      long nowNanos) {
        this.dir = dir;
        this.config = config;
        this.meta = meta;
        this.streamId = r.streamId();
        this.recovery = r.report();
        this.segments = new Segments(dir, r.streamId(), config.segments(), config.segmentBytes(), opener,
                r.chain(), r.free(), r.maxGeneration());
        this.tailSealed = r.tailSealed();
        this.nextSeq = r.nextSeq();
        this.lastWrittenSeq = r.nextSeq() - 1;
        this.flushedSeq = r.nextSeq() - 1;   // recovery flushed every kept segment
        this.ackedSeq = r.ackedSeq();
        this.held = r.report().held();
        this.recovered = held;
        this.loss = new LossCounter(r.lost(), r.reported(), nowNanos);
    }

    /**
     * Recovers what an earlier run left in {@code dir} and records the stream in {@code meta}. On
     * failure {@code meta} is closed.
     *
     * @throws SpoolUnusableException naming the path, if the directory cannot be written or read
     */
    static SpoolFile open(Path dir, SpoolConfig config, MetaFile meta, ChannelOpener opener, LongSupplier restartJump,
                          long nowNanos) {
        try {
            Recovery.Result r = Recovery.run(dir, config.segments(), meta, opener, restartJump);
            SpoolFile file = new SpoolFile(dir, config, meta, opener, r, nowNanos);
            file.writeInitialMeta(r.meta());
            return file;
        } catch (IOException e) {
            meta.close();
            throw new SpoolUnusableException("spool directory " + dir + " is not usable: " + FailureStreak.describe(e), e);
        } catch (RuntimeException e) {
            meta.close();
            throw e;
        }
    }

    /** Records the stream and reserves the seqs recovery skipped, before anything new is written. */
    private void writeInitialMeta(MetaFile.State found) throws IOException {
        MetaFile.State s = new MetaFile.State(streamId, found == null ? 0 : found.writeCount() + 1, ackedSeq,
                nextSeq - 1, loss.lost(), loss.reported());
        meta.write(s);
        lastMeta = s;
    }

    void logOpened() {
        String limits = String.format("up to %s in %d segment files, flushed within %d ms or every %d readings;"
                        + " when full: %s", bytes(config.maxBytes()), config.segments(), config.syncInterval().toMillis(),
                config.syncEvery(), config.fullPolicy().key());
        long lost = loss.lost();
        if (recovery.newStream()) {
            Logger.info("spool {}: new, stream {}; {}", dir, streamId, limits);
        } else {
            Logger.info("spool {}: stream {} continues at seq {}{}; {} unacknowledged readings taken over{}; {}", dir,
                    streamId, nextSeq, recovery.jump() == 0 ? "" : " (" + recovery.jump() + " seqs"
                            + " skipped, so that a restored or cloned copy of this spool never reuses one)",
                    held, lost > 0 ? ", " + lost + " lost so far" : "", limits);
        }
    }

    Path directory() {
        return dir;
    }

    long streamId() {
        return streamId;
    }

    RecoveryReport recovery() {
        return recovery;
    }

    LossCounter loss() {
        return loss;
    }

    long held() {
        return held;
    }

    /** Appended but not yet flushed, or acknowledged but not yet recorded in the meta file. */
    boolean flushPending() {
        return lastWrittenSeq > flushedSeq || ackedSeq != lastMeta.ackedSeq();
    }

    /**
     * Writes a reading with the next seq (not flushed). A {@code counter} reading is the lost count
     * ({@value Spool#DROPPED_SENSOR}): never refused under stop-sampling, and not counted as lost if
     * it cannot be written, since the count is reported again later.
     *
     * @return the reading as stored, or {@code null} if it was not stored (counted as lost unless a counter)
     */
    Reading append(String sensor, long timestampMillis, double value, boolean counter, long nowNanos,
                   LogLines lines) {
        int size = RecordCodec.size(sensor);
        if (!counter) {
            appended++;
            if (config.fullPolicy() == SpoolConfig.FullPolicy.STOP_SAMPLING && room() < size + COUNTER_RESERVE_BYTES) {
                refuse(nowNanos, lines);
                return null;
            }
        }
        try {
            if (needsRoll(size) && !roll(nowNanos, lines)) {
                if (!counter) { // room() said there was room: not expected, but never silent
                    loss.lose(1);
                    lines.error("spool " + dir + ": no segment could be had for a reading; it is lost (" + loss.lost()
                            + " lost in this stream so far)");
                }
                return null; // a count that finds no room at all is reported later
            }
            Reading r = new Reading(nextSeq, sensor, timestampMillis, value);
            writeBuf.clear();
            RecordCodec.encode(writeBuf, tail().header().tag(), r);
            tail().append(writeBuf.flip(), r.seq());
            nextSeq++;
            lastWrittenSeq = r.seq();
            held++;
            if (counter) {
                appended++;
                loss.stored((long) value);
            } else if (refusing) {
                refusing = false;
                lines.info("spool " + dir + " has room again; readings are stored again (" + loss.lost()
                        + " lost in this stream so far)");
            }
            lines.info(writeFailures.succeeded(dir, loss.lost() + " readings lost in this stream so far"));
            return r;
        } catch (IOException e) {
            if (!counter) {
                loss.lose(1);
            }
            Path path = tail() == null ? dir : tail().path();
            lines.error(writeFailures.failed(path, e, counter ? "the lost-readings count is reported later"
                    : "the reading is lost (" + loss.lost() + " lost in this stream so far); the client keeps running"));
            return null;
        }
    }

    /** stop-sampling: this reading is not stored. */
    private void refuse(long nowNanos, LogLines lines) {
        loss.lose(1);
        boolean starts = !refusing;
        refusing = true;
        if (fullLog.admit(nowNanos) != null || starts) {
            lines.warn("spool " + dir + " is full (" + bytes(config.maxBytes()) + " of unacknowledged readings; the"
                    + " gateway is not keeping up or not reachable): policy stop-sampling, new readings are not stored"
                    + " until the gateway acknowledges some; " + loss.lost() + " readings lost in this stream so far");
        }
    }

    private Segment tail() {
        return segments.tail();
    }

    private boolean needsRoll(int size) {
        return tail() == null || tailSealed || tail().writePos() + size > config.segmentBytes();
    }

    private long room() {
        return segments.room(tailSealed);
    }

    /**
     * Starts a new tail segment: a free one, a new file, or (drop-oldest) the oldest segment, whose
     * unacknowledged readings are dropped. False if none can be had (stop-sampling).
     */
    private boolean roll(long nowNanos, LogLines lines) throws IOException {
        Segment next = segments.spare();
        if (next == null) {
            Segment oldest = config.fullPolicy() == SpoolConfig.FullPolicy.DROP_OLDEST ? segments.removeOldest() : null;
            if (oldest == null) {
                return false;
            }
            drop(oldest, nowNanos, lines);
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
    private void drop(Segment oldest, long nowNanos, LogLines lines) {
        long n = oldest.heldAbove(ackedSeq);
        long from = Math.max(oldest.firstSeq(), ackedSeq + 1);
        long to = oldest.lastSeq();
        held -= n;
        loss.lose(n);
        segments.release(oldest);
        if (fullLog.admit(nowNanos) != null) {
            lines.warn("spool " + dir + " is full (" + bytes(config.maxBytes()) + " of unacknowledged readings; the"
                    + " gateway is not keeping up or not reachable): policy drop-oldest dropped the oldest segment's "
                    + n + " unacknowledged readings" + (n > 0 ? " (seq " + from + ".." + to + ")" : "") + "; "
                    + loss.lost() + " readings lost in this stream so far");
        }
    }

    /** Up to {@code max} flushed, unacknowledged readings with seq above {@code afterSeq}, oldest first. */
    List<Reading> peek(long afterSeq, int max, LogLines lines) {
        if (max <= 0) {
            return List.of();
        }
        long from = Math.max(afterSeq, ackedSeq) + 1;
        long to = flushedSeq;
        if (from > to) {
            return List.of();
        }
        List<Reading> out = new ArrayList<>();
        Segment at = null;
        try {
            for (Segment s : segments.live()) {
                at = s;
                if (s.lastSeq() < from) {
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
                long last = Math.min(to, s.lastSeq());
                while (out.size() < max && reader.expectedSeq() <= last) {
                    out.add(found(s, reader.next()).reading());
                }
                cursor = new Cursor(s, s.generation(), reader.expectedSeq(), reader.position());
                if (out.size() >= max) {
                    break;
                }
                from = s.lastSeq() + 1;
            }
            lines.info(readFailures.succeeded(dir, ""));
        } catch (IOException e) {
            cursor = null;
            peekStart = null;
            lines.error(readFailures.failed(at == null ? dir : at.path(), e, "readings from there on cannot be sent"
                    + " until it can be read"));
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
                ? new RecordReader(s.channel(), s.header().tag(), c.pos(), c.seq(), s.writePos(), readBuf)
                : new RecordReader(s.channel(), s.header().tag(), SegmentHeader.BYTES, s.firstSeq(), s.writePos(),
                readBuf);
        while (reader.expectedSeq() < seq) {
            found(s, reader.next());
        }
        return reader;
    }

    private static RecordCodec.Found found(Segment s, RecordCodec.Decoded d) throws SpoolFormatException {
        if (d instanceof RecordCodec.Found f) {
            return f;
        }
        throw new SpoolFormatException(s.path().getFileName() + ": a record written earlier no longer reads back: " + d);
    }

    /**
     * Removes every reading with seq ≤ {@code upToSeq} (only flushed ones were ever handed out), in
     * memory now and on disk at the next flush (see the class comment); {@code lost}: as lost, not
     * acknowledged. Returns how many that were.
     */
    int ack(long upToSeq, boolean lost) {
        long upTo = Math.min(upToSeq, flushedSeq);
        if (upTo <= ackedSeq) {
            return 0;
        }
        long n = 0;
        for (Segment s : segments.live()) {
            n += s.heldAbove(ackedSeq) - s.heldAbove(upTo);
        }
        ackedSeq = upTo;
        held -= n;
        if (lost) {
            loss.lose(n);
        } else {
            acknowledged += n;
        }
        segments.releaseAcknowledged(ackedSeq);
        return (int) n;
    }

    ReadingSpool.Counts counts() {
        return new ReadingSpool.Counts(appended, acknowledged, loss.sinceStart(), held, recovered);
    }

    SpoolStats stats() {
        String problem = writeFailures.last() != null ? writeFailures.last() : flushFailures.last();
        return new SpoolStats(dir, streamId, segments.files(), segments.liveCount(), held, lastWrittenSeq - flushedSeq,
                loss.lost(), writeFailures.total(), flushFailures.total(), problem, fsyncs.get());
    }

    /** What a flush now would write; null if there is nothing to write. */
    Flush beginFlush() {
        long upTo = lastWrittenSeq;
        boolean records = upTo > flushedSeq;
        MetaFile.State want = new MetaFile.State(streamId, lastMeta.writeCount() + 1, ackedSeq,
                Math.max(lastMeta.highWaterSeq(), upTo), loss.lost(), loss.reported());
        if (!records && want.sameAs(lastMeta)) {
            return null;
        }
        return new Flush(tail(), upTo, records, want, !want.sameAs(lastMeta));
    }

    /** The slow part of a flush: fsync the segment, write the meta file. */
    void write(Flush f) throws IOException {
        if (f.records() && f.segment() != null) {
            f.segment().force(); // earlier segments were flushed when the tail moved on
            fsyncs.incrementAndGet();
        }
        if (f.writeMeta()) {
            meta.write(f.meta());
            fsyncs.incrementAndGet();
        }
    }

    /** {@code f} was written: its readings become peekable. Returns a line for the INFO log, or null. */
    String flushed(Flush f) {
        flushedSeq = Math.max(flushedSeq, f.upTo());
        lastMeta = f.meta();
        return flushFailures.succeeded(dir, "");
    }

    /** {@code f} failed; it is tried again by the next flush. Returns a line for the ERROR log, or null. */
    String flushFailed(Flush f, IOException e) {
        return flushFailures.failed(f.segment() == null ? meta.path() : f.segment().path(), e, "the readings appended"
                + " since the last flush are not sent until a flush works, and a power cut could take them");
    }

    void close() {
        segments.closeAll();
        meta.close();
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
