package io.pigateway.client.spool;

import java.nio.ByteBuffer;

/**
 * The first 64 bytes of a segment file, written when the file starts a new use. Big-endian.
 *
 * <pre>
 *  offset size field
 *   0     4    magic "PGSG" (50 47 53 47)
 *   4     2    format version, 1
 *   6     2    header length, 64
 *   8     8    stream id (non-zero)
 *  16     8    generation: unique and rising over the spool's life; its low 32 bits tag every record
 *  24     8    previous generation: the segment this one continues, 0 for the first
 *  32     8    previous last seq: the last record of the previous segment that belongs to the
 *              spool; anything after it there was cut off by a recovery and is ignored
 *  40     8    first seq: the seq of this segment's first record; the rest follow without gaps
 *  48    12    reserved, zero
 *  60     4    CRC-32C of bytes 0..59
 * </pre>
 *
 * Records follow from offset 64 to the end of the written part (see {@link RecordCodec}).
 */
record SegmentHeader(long streamId, long generation, long prevGeneration, long prevLastSeq, long firstSeq) {
    static final int BYTES = 64;
    static final int MAGIC = 0x50475347;
    static final int VERSION = 1;
    private static final int CRC_OFFSET = 60;

    SegmentHeader {
        if (streamId == 0 || generation < 1 || firstSeq < 1 || prevLastSeq >= firstSeq) {
            throw new IllegalArgumentException("invalid segment header: stream " + streamId + ", generation "
                    + generation + ", previous last seq " + prevLastSeq + ", first seq " + firstSeq);
        }
    }

    /** The record tag: the low 32 bits of the generation, never 0 (see {@link #nextGeneration}). */
    int tag() {
        return (int) generation;
    }

    /** The generation after {@code g}, skipping those whose tag would be 0 (zeros on disk must never match). */
    static long nextGeneration(long g) {
        long n = g + 1;
        return (int) n == 0 ? n + 1 : n;
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) BYTES);
        b.putLong(streamId).putLong(generation).putLong(prevGeneration).putLong(prevLastSeq).putLong(firstSeq);
        b.putInt(CRC_OFFSET, RecordCodec.crc(b, 0, CRC_OFFSET));
        return b.clear();
    }

    /**
     * @param b exactly {@link #BYTES} bytes
     * @throws SpoolFormatException saying which field is wrong, with expected and actual values
     */
    static SegmentHeader decode(ByteBuffer b) throws SpoolFormatException {
        RecordCodec.checkMagicAndCrc(b, MAGIC, CRC_OFFSET, "header CRC32C");
        RecordCodec.checkVersionAndLength(b, VERSION, BYTES, n -> "a " + n + "-byte header");
        try {
            return new SegmentHeader(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40));
        } catch (IllegalArgumentException e) {
            throw new SpoolFormatException(e.getMessage());
        }
    }
}
