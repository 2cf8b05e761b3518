package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Deque;
import org.tinylog.Logger;

/**
 * The segment files of one spool and which are in use: the live ones, oldest first, the last being
 * the tail where records go; and the free ones, to be reused. Files are created up to the maximum
 * and then reused, never deleted (except ones beyond a lowered {@code spool.max-bytes}). Not
 * thread-safe; the spool's lock guards it.
 */
final class Segments {
    private final Path dir;
    private final long streamId;
    private final int maxSegments;
    private final long segmentBytes;
    private final ChannelOpener opener;
    private final Deque<Segment> live;
    private final Deque<Segment> free;
    private final BitSet present = new BitSet(); // indexes of the segment files that exist
    private long maxGeneration;

    Segments(Path dir, long streamId, int maxSegments, long segmentBytes, ChannelOpener opener, Deque<Segment> live,
             Deque<Segment> free, long maxGeneration) {
        this.dir = dir;
        this.streamId = streamId;
        this.maxSegments = maxSegments;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
        this.live = live;
        this.free = free;
        this.maxGeneration = maxGeneration;
        live.forEach(s -> present.set(s.index()));
        free.forEach(s -> present.set(s.index()));
    }

    /** Where records go; null before the first record of a new spool. */
    Segment tail() {
        return live.peekLast();
    }

    /** The segments in use, oldest first. */
    Iterable<Segment> live() {
        return live;
    }

    int liveCount() {
        return live.size();
    }

    int files() {
        return present.cardinality();
    }

    /** Bytes that records could still take without freeing anything: the tail (unless sealed), free and uncreated segments. */
    long room(boolean tailSealed) {
        Segment tail = tail();
        long inTail = tail == null || tailSealed ? 0 : segmentBytes - tail.writePos();
        long uncreated = maxSegments - present.get(0, maxSegments).cardinality();
        return inTail + (free.size() + uncreated) * (segmentBytes - SegmentHeader.BYTES);
    }

    /** A free segment, or a new file; null if every segment is in use. */
    Segment spare() throws IOException {
        Segment s = free.pollFirst();
        return s != null ? s : create();
    }

    /** Takes the oldest segment out of use (never the tail); null if the tail is all there is. */
    Segment removeOldest() {
        return live.size() < 2 ? null : live.pollFirst();
    }

    /**
     * Makes {@code next} the tail, its first record to be {@code firstSeq}. The old tail is flushed
     * first: the new header names its last seq, so those records must be on disk before it is. On
     * failure {@code next} is free again and the exception names the file that failed.
     */
    void startTail(Segment next, long firstSeq) throws IOException {
        Segment old = tail();
        Path at = old == null ? next.path() : old.path();
        try {
            if (old != null) {
                old.force();
            }
            at = next.path();
            maxGeneration = SegmentHeader.nextGeneration(maxGeneration);
            next.start(new SegmentHeader(streamId, maxGeneration, old == null ? 0 : old.generation(),
                    old == null ? firstSeq - 1 : old.lastSeq(), firstSeq), segmentBytes);
        } catch (IOException e) {
            next.free();
            free.addFirst(next);
            throw FailureStreak.naming(at, e);
        }
        live.addLast(next);
    }

    /** Frees the oldest segments while all their readings are acknowledged; the tail stays in use. */
    void releaseAcknowledged(long ackedSeq) {
        while (live.size() > 1 && live.getFirst().lastSeq() <= ackedSeq) {
            release(live.pollFirst());
        }
    }

    /** {@code s}, out of use, is free to be reused (or deleted if beyond the configured number). */
    void release(Segment s) {
        s.free();
        if (s.index() < maxSegments) {
            free.addLast(s);
            return;
        }
        s.close();
        present.clear(s.index());
        try {
            Files.deleteIfExists(s.path());
        } catch (IOException e) {
            Logger.warn("could not delete spool file {} (beyond spool.max-bytes): {}", s.path(), FailureStreak.describe(e));
        }
    }

    void closeAll() {
        live.forEach(Segment::close);
        free.forEach(Segment::close);
    }

    private Segment create() throws IOException {
        int index = present.nextClearBit(0);
        if (index >= maxSegments) {
            return null;
        }
        Path path = dir.resolve(Segment.fileName(index));
        FileChannel channel;
        try {
            channel = opener.open(path);
        } catch (IOException e) {
            throw FailureStreak.naming(path, e);
        }
        present.set(index);
        SpoolDirectory.sync(dir); // the new name survives a power cut
        return new Segment(index, path, channel);
    }
}
