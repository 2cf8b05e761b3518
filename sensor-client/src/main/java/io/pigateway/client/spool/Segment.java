package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment file, {@code segment-NNNN.spool}, and where its records stand. The file is reused for
 * ever: a new use writes a new header over the old one and records after it, never growing the
 * file beyond the segment size. Its header and end change only through its methods. Not
 * thread-safe; the spool's lock guards it.
 */
final class Segment {
    private final int index;
    private final Path path;
    private final FileChannel channel;
    /** null while the file holds no valid header of this spool (free). */
    private SegmentHeader header;
    /** Where the next record goes; the end of this segment's good records. */
    private long writePos;
    /** The last record's seq; {@code firstSeq - 1} while empty. */
    private long lastSeq;

    Segment(int index, Path path, FileChannel channel) {
        this.index = index;
        this.path = path;
        this.channel = channel;
    }

    int index() {
        return index;
    }

    Path path() {
        return path;
    }

    FileChannel channel() {
        return channel;
    }

    /** The header of its current use; null while free. */
    SegmentHeader header() {
        return header;
    }

    long writePos() {
        return writePos;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** Recovery found {@code h} at offset 0 (null: no valid header); its end is set by {@link #endAt}. */
    void found(SegmentHeader h) {
        header = h;
    }

    /** Recovery read good records up to {@code pos}, the last with seq {@code lastSeq}. */
    void endAt(long pos, long lastSeq) {
        this.writePos = pos;
        this.lastSeq = lastSeq;
    }

    /** Out of use: its records no longer count, and it may be started again. */
    void free() {
        header = null;
    }

    static String fileName(int index) {
        return String.format("segment-%04d.spool", index);
    }

    /** The index in a segment file's name, or -1 if {@code name} is not one. */
    static int indexOf(String name) {
        if (!name.matches("segment-\\d{4}\\.spool")) {
            return -1;
        }
        return Integer.parseInt(name.substring(8, 12));
    }

    long firstSeq() {
        return header.firstSeq();
    }

    long generation() {
        return header.generation();
    }

    /** Readings held here with seq above {@code ackedSeq}. */
    long heldAbove(long ackedSeq) {
        return Math.max(0, lastSeq - Math.max(firstSeq() - 1, ackedSeq));
    }

    /**
     * Starts a new use: the header goes to offset 0 and is flushed before any record follows, so a
     * power cut leaves either the old use intact or the new one started. Bytes beyond the segment
     * size (left by a larger earlier setting) are cut off.
     */
    void start(SegmentHeader h, long segmentBytes) throws IOException {
        if (channel.size() > segmentBytes) {
            channel.truncate(segmentBytes);
        }
        writeFully(h.encode(), 0);
        channel.force(false);
        header = h;
        writePos = SegmentHeader.BYTES;
        lastSeq = h.firstSeq() - 1;
    }

    /** Writes one encoded record (from {@code record}'s position to its limit) after the last, with seq {@code seq}. */
    void append(ByteBuffer record, long seq) throws IOException {
        int size = record.remaining();
        writeFully(record, writePos);
        writePos += size;
        lastSeq = seq;
    }

    private void writeFully(ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
    }

    void force() throws IOException {
        channel.force(false);
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was pending: every write was flushed or is counted as lost
        }
    }

    @Override
    public String toString() {
        return path.getFileName() + (header == null ? " (free)" : " (generation " + header.generation() + ", seq "
                + header.firstSeq() + ".." + lastSeq + ")");
    }
}
