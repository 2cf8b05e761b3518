package io.pigateway.client.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * Works out, from the files alone, which records form the spool after a stop of any kind.
 *
 * <ol>
 *   <li>The meta file gives the stream id, the acknowledged seq and the high-water seq. If it is
 *       missing or both slots are bad, the newest segment's stream id is used; with no usable
 *       segment either, a new stream starts.</li>
 *   <li>The spool is a chain of segments: the newest valid header of this stream is the tail; each
 *       header names the generation it continues, back to one that no longer exists (reused) or
 *       holds only acknowledged readings.
 *       Segments outside the chain, or of another stream, or with a bad header, are free.</li>
 *   <li>Each segment's records are checked in order. A segment that has a successor must reach the
 *       successor's "previous last seq"; records after it are ignored (an earlier recovery cut
 *       them). The tail ends where no record was started. The first torn or corrupt record, or
 *       a segment that stops short, is the cut: it and everything after it, later segments
 *       included, is dropped, and the next append starts a new segment.</li>
 *   <li>The next seq is above the last kept record, above the meta's high-water seq, and above any
 *       seq the cut part could have held (its bytes divided by the smallest record size); then a
 *       continuing stream jumps at least 2^32 further ({@link SeqJump}), so that a restored or
 *       cloned copy of these files never gives a seq the original used to another reading.</li>
 * </ol>
 */
final class Recovery {
    private final Path dir;
    private final int maxSegments;
    private final MetaFile meta;
    private final ChannelOpener opener;
    private final LongSupplier restartJump;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private long maxCounter;   // the highest client.readings-dropped value among the kept records

    /**
     * @param chain      the kept segments, oldest first; the last is the tail
     * @param free       segment files to reuse
     * @param tailSealed the tail takes no more records (damage, or a gap in seq): the next append starts a segment
     */
    record Result(long streamId, MetaFile.State meta, Deque<Segment> chain, Deque<Segment> free, boolean tailSealed,
                  long nextSeq, long ackedSeq, long lost, long reported, long maxGeneration, RecoveryReport report) {
    }

    private Recovery(Path dir, int maxSegments, MetaFile meta, ChannelOpener opener, LongSupplier restartJump) {
        this.restartJump = restartJump;
        this.dir = dir;
        this.maxSegments = maxSegments;
        this.meta = meta;
        this.opener = opener;
    }

    /** @param restartJump seqs to skip when an existing stream goes on ({@link SeqJump}) */
    static Result run(Path dir, int maxSegments, MetaFile meta, ChannelOpener opener, LongSupplier restartJump)
            throws IOException {
        return new Recovery(dir, maxSegments, meta, opener, restartJump).run();
    }

    private Result run() throws IOException {
        MetaFile.Contents contents = meta.read();
        MetaFile.State state = contents.state();
        if (!contents.problems().isEmpty() && contents.fileBytes() > 0) {
            Logger.warn("spool meta file {}: {}{}", meta.path(), String.join("; ", contents.problems()),
                    state == null ? "" : "; using the other slot");
        }
        List<Segment> files = openSegments();
        long maxGeneration = 0;
        Segment newest = null;
        for (Segment s : files) {
            s.found(readHeader(s));
            if (s.header() != null) {
                maxGeneration = Math.max(maxGeneration, s.header().generation());
                if (newest == null || s.header().generation() > newest.header().generation()) {
                    newest = s;
                }
            }
        }

        boolean newStream = false;
        long streamId;
        if (state != null) {
            streamId = state.streamId();
        } else if (newest != null) {
            streamId = newest.header().streamId();
            Logger.warn("spool {}: the meta file is {}; continuing stream {} of the newest segment {}; the acknowledged"
                            + " position is unknown, so every reading held is sent again (the gateway ignores duplicates)",
                    dir, contents.fileBytes() == 0 ? "missing" : "unreadable", streamId,
                    newest.path().getFileName());
        } else {
            streamId = StreamIds.random();
            newStream = true;
        }

        int foreign = 0;
        Map<Long, Segment> byGeneration = new HashMap<>();
        Segment tail = null;
        for (Segment s : files) {
            if (s.header() != null && s.header().streamId() != streamId) {
                foreign++;
                s.free();
            }
            if (s.header() != null) {
                byGeneration.put(s.header().generation(), s);
                if (tail == null || s.header().generation() > tail.header().generation()) {
                    tail = s;
                }
            }
        }
        if (foreign > 0) {
            Logger.warn("spool {}: {} segment file(s) belong to another stream; they are reused", dir, foreign);
        }

        long acked = state == null ? 0 : state.ackedSeq();
        List<Segment> chain = new ArrayList<>();
        for (Segment s = tail; s != null; ) {
            chain.addFirst(s);
            long prev = s.header().prevGeneration();
            boolean prevHoldsUnacked = s.header().prevLastSeq() > acked; // else it need not even be read
            s = prev > 0 && prev < s.header().generation() && prevHoldsUnacked ? byGeneration.get(prev) : null;
        }

        Cut cut = scan(chain);
        boolean tailSealed = false;
        long cutBytes = 0;
        long cutBound = 0;
        int cutSegments = 0;
        if (cut != null) {
            Segment damaged = chain.get(cut.index);
            cutBytes = cut.fileBytes - cut.offset;
            cutBound = damaged.lastSeq() + ceilDiv(cutBytes, RecordCodec.MIN_RECORD);
            for (Segment later : chain.subList(cut.index + 1, chain.size())) {
                long size = later.channel().size();
                cutBytes += size;
                cutBound = Math.max(cutBound, later.header().firstSeq() - 1
                        + ceilDiv(Math.max(0, size - SegmentHeader.BYTES), RecordCodec.MIN_RECORD));
                cutSegments++;
            }
            chain = new ArrayList<>(chain.subList(0, cut.index + 1));
            tailSealed = true;
        }

        long lastKept = chain.isEmpty() ? 0 : chain.getLast().lastSeq();
        long highWater = state == null ? 0 : state.highWaterSeq();
        long nextSeq = Math.max(Math.max(lastKept, highWater), cutBound) + 1;
        long skipped = nextSeq - lastKept - 1;
        // Not even a reading of this stream yet, or a new one: nothing any copy could reuse.
        long jump = newStream || nextSeq == 1 ? 0 : restartJump.getAsLong();
        nextSeq += jump;
        if (!chain.isEmpty() && nextSeq != lastKept + 1) {
            tailSealed = true;
        }
        if (cut != null) {
            Logger.warn("spool {}: {}: {}; kept everything before it (up to seq {}), cut {} bytes (the rest of that"
                            + " file and {} later segment(s)); next seq {}, leaving {} seqs unused", dir,
                    chain.getLast().path().getFileName(), cut.damage, lastKept, cutBytes, cutSegments, nextSeq - jump,
                    skipped);
        } else if (highWater > lastKept && !newStream) {
            Logger.warn("spool {}: the files end at seq {}, but seqs up to {} were already flushed and may have been sent;"
                    + " the storage lost data it had confirmed as written; continuing at seq {}", dir, lastKept,
                    highWater, nextSeq - jump);
        }

        Deque<Segment> kept = new ArrayDeque<>(chain);
        Deque<Segment> free = new ArrayDeque<>();
        for (Segment s : files) {
            if (!chain.contains(s)) {
                s.free();
                if (s.index() >= maxSegments) {
                    s.close();
                    Files.delete(s.path());
                } else {
                    free.add(s);
                }
            }
        }
        while (kept.size() > 1 && kept.getFirst().lastSeq() <= acked) {
            free.add(kept.removeFirst());
        }
        for (Segment s : kept) {
            s.force(); // what another process left in the page cache is on disk before anything builds on it
        }
        long held = kept.stream().mapToLong(s -> s.heldAbove(acked)).sum();
        long lost = Math.max(state == null ? 0 : state.lost(), maxCounter);
        long reported = state == null ? maxCounter : Math.min(state.reported(), lost);
        RecoveryReport report = new RecoveryReport(newStream, held, cutBytes, cutSegments, cut == null ? null : cut.damage,
                nextSeq, skipped, jump);
        return new Result(streamId, state, kept, free, tailSealed, nextSeq, acked, lost, reported, maxGeneration, report);
    }

    /** Where the chain's records stop being good: segment {@code index}, at file {@code offset}. */
    private record Cut(int index, long offset, long fileBytes, String damage) {
    }

    /** Checks every record of the chain; sets each segment's end; returns the first damage, or null. */
    private Cut scan(List<Segment> chain) throws IOException {
        for (int i = 0; i < chain.size(); i++) {
            Segment seg = chain.get(i);
            boolean isTail = i == chain.size() - 1;
            long limit = isTail ? Long.MAX_VALUE : chain.get(i + 1).header().prevLastSeq();
            long size = seg.channel().size();
            RecordReader reader = new RecordReader(seg.channel(), seg.header().tag(), SegmentHeader.BYTES,
                    seg.header().firstSeq(), size, buf);
            String damage = null;
            if (limit < seg.header().firstSeq() - 1) {
                damage = "the next segment continues after seq " + limit + ", before this one's first seq "
                        + seg.header().firstSeq();
            }
            while (damage == null && reader.expectedSeq() <= limit) {
                RecordCodec.Decoded d = reader.next();
                if (d instanceof RecordCodec.Found f) {
                    if (Spool.DROPPED_SENSOR.equals(f.reading().sensor())) {
                        maxCounter = Math.max(maxCounter, (long) f.reading().value());
                    }
                } else if (d instanceof RecordCodec.End e) {
                    if (!isTail) {
                        damage = "the records end at seq " + (reader.expectedSeq() - 1) + " (" + e.why()
                                + ") but the next segment continues after seq " + limit;
                    } else {
                        String later = goodRecordAfter(seg, reader.position(), reader.expectedSeq() - 1, size);
                        if (later != null) {
                            damage = "the record at offset " + reader.position() + " is damaged (" + e.why()
                                    + "), yet a good record of this segment follows at " + later;
                        }
                    }
                    break;
                } else if (d instanceof RecordCodec.Damaged bad) {
                    damage = bad.why();
                }
            }
            seg.endAt(reader.position(), reader.expectedSeq() - 1);
            if (damage != null) {
                return new Cut(i, reader.position(), size, damage);
            }
        }
        return null;
    }

    /**
     * Looks past what reads as the tail's end for a good record of the same segment with a higher
     * seq: if there is one, the "end" is a record whose tag was damaged, not where writing stopped.
     * Returns where it is, or null.
     */
    private String goodRecordAfter(Segment seg, long end, long lastSeq, long size) throws IOException {
        int tag = seg.header().tag();
        long chunk = end + 1;
        while (chunk + RecordCodec.MIN_RECORD <= size) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - chunk));
            while (buf.hasRemaining() && seg.channel().read(buf, chunk + buf.position()) > 0) {
                // fill
            }
            int len = buf.position();
            buf.limit(len);
            boolean atFileEnd = chunk + len >= size;
            long next = chunk + Math.max(1, len - RecordCodec.MIN_RECORD + 1);
            for (int i = 0; i + RecordCodec.MIN_RECORD <= len; i++) {
                if (buf.getInt(i) != tag) {
                    continue;
                }
                if (i + RecordCodec.MAX_RECORD > len && !atFileEnd) {
                    next = chunk + i; // read it whole with the next chunk
                    break;
                }
                RecordCodec.Decoded d = RecordCodec.decode(buf.position(i), tag, -1, chunk + i);
                if (d instanceof RecordCodec.Found f && f.reading().seq() > lastSeq) {
                    return "offset " + (chunk + i) + " (seq " + f.reading().seq() + ")";
                }
            }
            chunk = next;
        }
        return null;
    }

    private List<Segment> openSegments() throws IOException {
        List<Path> paths;
        try (Stream<Path> list = Files.list(dir)) {
            paths = list.filter(p -> Segment.indexOf(p.getFileName().toString()) >= 0).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<Segment> out = new ArrayList<>();
        try {
            for (Path p : paths) {
                out.add(new Segment(Segment.indexOf(p.getFileName().toString()), p, opener.open(p)));
            }
        } catch (IOException e) {
            out.forEach(Segment::close);
            throw e;
        }
        out.sort(Comparator.comparingInt(s -> s.index()));
        return out;
    }

    /** The header, or null (logged) if the file has none of this format. */
    private SegmentHeader readHeader(Segment s) throws IOException {
        long size = s.channel().size();
        if (size < SegmentHeader.BYTES) {
            if (size > 0) {
                Logger.warn("spool file {} is {} bytes, shorter than a {}-byte header; it is reused", s.path(), size,
                        SegmentHeader.BYTES);
            }
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(SegmentHeader.BYTES);
        while (b.hasRemaining() && s.channel().read(b, b.position()) > 0) {
            // fill
        }
        try {
            return SegmentHeader.decode(b.clear());
        } catch (SpoolFormatException e) {
            Logger.warn("spool file {} has no valid header ({}); it is reused", s.path(), e.getMessage());
            return null;
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
