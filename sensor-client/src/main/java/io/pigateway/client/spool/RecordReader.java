package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads one segment's records in order from a given offset, through a buffer, checking each one
 * (see {@link RecordCodec#decode}). Used by recovery and by the link's peeks.
 */
final class RecordReader {
    private final FileChannel channel;
    private final int tag;
    private final long end;
    private final ByteBuffer buf;
    private long bufStart;     // file offset of buf's byte 0
    private long pos;          // file offset of the next record
    private long expectedSeq;

    /**
     * @param end the file offset where reading stops (the file size, or the known end of the records)
     * @param buf scratch space of at least {@link RecordCodec#MAX_RECORD} bytes
     */
    RecordReader(FileChannel channel, int tag, long pos, long expectedSeq, long end, ByteBuffer buf) {
        if (buf.capacity() < RecordCodec.MAX_RECORD) {
            throw new IllegalArgumentException("buffer of " + buf.capacity() + " bytes; at least "
                    + RecordCodec.MAX_RECORD + " are needed");
        }
        this.channel = channel;
        this.tag = tag;
        this.pos = pos;
        this.expectedSeq = expectedSeq;
        this.end = end;
        this.buf = buf;
        buf.clear().limit(0);
        bufStart = pos;
    }

    /** The offset of the next record (after the last one {@link #next} returned). */
    long position() {
        return pos;
    }

    /** The seq the next record must carry. */
    long expectedSeq() {
        return expectedSeq;
    }

    RecordCodec.Decoded next() throws IOException {
        fill();
        buf.position((int) (pos - bufStart));
        RecordCodec.Decoded d = RecordCodec.decode(buf, tag, expectedSeq, pos);
        if (d instanceof RecordCodec.Found f) {
            pos += f.size();
            expectedSeq++;
        }
        return d;
    }

    /** Makes the buffer hold the file from {@code pos} to at least {@code min(end, pos + MAX_RECORD)}. */
    private void fill() throws IOException {
        long want = Math.min(end, pos + RecordCodec.MAX_RECORD);
        if (bufStart <= pos && bufStart + buf.limit() >= want) {
            return;
        }
        int keep = (int) Math.max(0, bufStart + buf.limit() - pos);
        if (keep > 0) {
            buf.position((int) (pos - bufStart));
            buf.compact();
        } else {
            buf.clear();
        }
        bufStart = pos;
        buf.position(keep);
        buf.limit((int) Math.min(buf.capacity(), end - pos));
        while (buf.hasRemaining()) {
            int n = channel.read(buf, bufStart + buf.position());
            if (n < 0) {
                break;
            }
        }
        buf.limit(buf.position());
    }
}
