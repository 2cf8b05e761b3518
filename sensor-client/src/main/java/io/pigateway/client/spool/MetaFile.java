package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code spool.meta}: the stream id and the positions that must survive a restart, in two 64-byte
 * slots written in turn, so a write torn by a power cut spoils at most the slot being written and the
 * other still holds the previous state. The valid slot with the higher write count is current.
 * Written only after the segment records it speaks about were flushed. Big-endian.
 *
 * <pre>
 *  offset size field                      (slot 0 at file offset 0, slot 1 at 64)
 *   0     4    magic "PGSM" (50 47 53 4d)
 *   4     2    format version, 1
 *   6     2    slot length, 64
 *   8     8    stream id (non-zero)
 *  16     8    write count; this slot is (count mod 2)
 *  24     8    acknowledged seq: every reading with seq ≤ it was acknowledged by the gateway
 *  32     8    high-water seq: no seq ≤ it is ever used again (every seq handed to the link is ≤ it)
 *  40     8    lost: readings this stream lost so far (dropped when full, not stored, or refused by the gateway)
 *  48     8    reported: the value last appended as a client.readings-dropped reading
 *  56     4    reserved, zero
 *  60     4    CRC-32C of bytes 0..59
 * </pre>
 */
final class MetaFile {
    static final String NAME = "spool.meta";
    static final int SLOT_BYTES = 64;
    static final int FILE_BYTES = 2 * SLOT_BYTES;
    static final int MAGIC = 0x5047534d;
    static final int VERSION = 1;
    private static final int CRC_OFFSET = 60;

    /** One slot's content. */
    record State(long streamId, long writeCount, long ackedSeq, long highWaterSeq, long lost, long reported) {
        /** The same positions, ignoring the write count. */
        boolean sameAs(State o) {
            return o != null && streamId == o.streamId && ackedSeq == o.ackedSeq && highWaterSeq == o.highWaterSeq
                    && lost == o.lost && reported == o.reported;
        }
    }

    /**
     * What was found: {@code state} is null when the file is empty (a new spool) or no slot is valid;
     * {@code problems} says what was wrong with each slot that was not.
     */
    record Contents(State state, long fileBytes, List<String> problems) {
    }

    private final Path path;
    private final FileChannel channel;

    MetaFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    Path path() {
        return path;
    }

    /** Closes the file, which also releases the spool's lock. */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // every write was flushed when it was made
        }
    }

    Contents read() throws IOException {
        long size = channel.size();
        ByteBuffer b = ByteBuffer.allocate(FILE_BYTES);
        while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
            // fill
        }
        State best = null;
        List<String> problems = new ArrayList<>();
        for (int slot = 0; slot < 2; slot++) {
            int at = slot * SLOT_BYTES;
            if (b.position() < at + SLOT_BYTES) {
                if (b.position() > at) {
                    problems.add("slot " + slot + " is cut short: " + (b.position() - at) + " of " + SLOT_BYTES + " bytes");
                }
                continue;
            }
            try {
                State s = decode(b.slice(at, SLOT_BYTES), slot);
                if (best == null || s.writeCount() > best.writeCount()) {
                    best = s;
                }
            } catch (SpoolFormatException e) {
                problems.add("slot " + slot + ": " + e.getMessage());
            }
        }
        return new Contents(best, size, problems);
    }

    /** Writes {@code s} into its slot and flushes it to the storage. */
    void write(State s) throws IOException {
        ByteBuffer b = encode(s);
        long at = (s.writeCount() & 1) * SLOT_BYTES;
        while (b.hasRemaining()) {
            channel.write(b, at + b.position());
        }
        channel.force(false);
    }

    static ByteBuffer encode(State s) {
        ByteBuffer b = ByteBuffer.allocate(SLOT_BYTES);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) SLOT_BYTES);
        b.putLong(s.streamId()).putLong(s.writeCount()).putLong(s.ackedSeq()).putLong(s.highWaterSeq())
                .putLong(s.lost()).putLong(s.reported());
        b.putInt(CRC_OFFSET, RecordCodec.crc(b, 0, CRC_OFFSET));
        return b.clear();
    }

    static State decode(ByteBuffer b, int slot) throws SpoolFormatException {
        RecordCodec.checkMagicAndCrc(b, MAGIC, CRC_OFFSET, "CRC32C");
        RecordCodec.checkVersionAndLength(b, VERSION, SLOT_BYTES, n -> n + "-byte slots");
        State s = new State(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48));
        if (s.streamId() == 0 || (s.writeCount() & 1) != slot || s.ackedSeq() < 0 || s.highWaterSeq() < 0
                || s.lost() < 0 || s.reported() < 0) {
            throw new SpoolFormatException("implausible values: " + s);
        }
        return s;
    }
}
