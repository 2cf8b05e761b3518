package io.pigateway.client.spool;

import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Reading;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

/**
 * One reading as a record in a segment file. All integers big-endian.
 *
 * <pre>
 *  0        4     6                                                      6+N      10+N
 *  +--------+-----+------------------------------------------------------+--------+
 *  | tag    | N   | seq    | time ms | value | L  | sensor name          | CRC32C |
 *  | u32    | u16 | i64    | i64     | f64   | u8 | L bytes, ASCII       | u32    |
 *  +--------+-----+------------------------------------------------------+--------+
 *                  \___________________ payload, N = 25 + L ____________/
 *  tag  = the low 32 bits of the segment's generation (never 0)
 *  L    = 1..64 (the identifier rule), so a record is 36 to 99 bytes
 *  CRC  = CRC-32C of bytes 0 .. 6+N-1 (tag, length and payload)
 *  time = ms since 1970 as stamped; below 946684800000 (2000-01-01) not a time but 1 + ms since that
 *         client run started: sampled before the clock was set (DeviceClock converts it when sent)
 * </pre>
 *
 * Example: seq 7, sensor {@code t}, time 1000, value 1.5, in a segment of generation 3 (36 bytes):
 * {@code 00000003 001a 0000000000000007 00000000000003e8 3ff8000000000000 01 74 8ae81503}.
 *
 * <p>Reading a record at some offset ends in one of three ways, and the difference matters:
 * <ul>
 *   <li><b>a record</b>: tag, length, CRC and the expected seq all check out;</li>
 *   <li><b>the end</b>: no bytes left, or a tag other than this segment's: the writer never started a
 *       record here; what follows is an earlier use of the file, zeros, or nothing;</li>
 *   <li><b>damage</b>: the tag is this segment's (or, in the last 1 to 3 bytes of the file, begins
 *       like it) but the rest is wrong (torn write, flipped bits), or a well-formed record carries
 *       the wrong seq.</li>
 * </ul>
 */
final class RecordCodec {
    static final int TAG_AND_LENGTH = 6;
    static final int FIXED_PAYLOAD = 25;
    static final int CRC_BYTES = 4;
    static final int MIN_RECORD = TAG_AND_LENGTH + FIXED_PAYLOAD + 1 + CRC_BYTES;
    static final int MAX_RECORD = TAG_AND_LENGTH + FIXED_PAYLOAD + Identifiers.MAX_LENGTH + CRC_BYTES;

    private RecordCodec() {
    }

    /** What reading at one offset came to. */
    sealed interface Decoded {
    }

    /** A good record of {@code size} bytes. */
    record Found(Reading reading, int size) implements Decoded {
    }

    /** No record was started here. */
    record End(String why) implements Decoded {
    }

    /** A record was started here but is torn or corrupt; {@code why} carries the numbers. */
    record Damaged(String why) implements Decoded {
    }

    /** Bytes the record for a reading of {@code sensor} takes. */
    static int size(String sensor) {
        return TAG_AND_LENGTH + FIXED_PAYLOAD + sensor.length() + CRC_BYTES;
    }

    /** Writes the record at {@code out}'s position; the sensor name must follow the identifier rule. */
    static void encode(ByteBuffer out, int tag, Reading r) {
        byte[] name = r.sensor().getBytes(StandardCharsets.US_ASCII);
        int start = out.position();
        out.putInt(tag);
        out.putShort((short) (FIXED_PAYLOAD + name.length));
        out.putLong(r.seq());
        out.putLong(r.timestampMillis());
        out.putDouble(r.value());
        out.put((byte) name.length);
        out.put(name);
        out.putInt(crc(out, start, out.position()));
    }

    /**
     * Reads the record at {@code in}'s position, which holds every byte the file has from there, or at
     * least {@link #MAX_RECORD}. On {@link Found} the position moves past the record; otherwise it stays.
     *
     * @param expectedSeq the seq the record must carry; negative: any
     * @param offset      the file offset of {@code in}'s position, for the messages
     */
    static Decoded decode(ByteBuffer in, int tag, long expectedSeq, long offset) {
        int p = in.position();
        int available = in.remaining();
        if (available < 4) {
            for (int i = 0; i < available; i++) {
                if (in.get(p + i) != (byte) (tag >>> (24 - 8 * i))) {
                    return new End("only " + available + " bytes left at offset " + offset);
                }
            }
            return available == 0 ? new End("end of file at offset " + offset)
                    : new Damaged("torn record at offset " + offset + ": only " + available + " bytes of it are there");
        }
        int storedTag = in.getInt(p);
        if (storedTag != tag) {
            return new End(String.format("offset %d holds tag 0x%08x, not this segment's 0x%08x", offset, storedTag, tag));
        }
        if (available < TAG_AND_LENGTH) {
            return new Damaged("torn record at offset " + offset + ": " + available + " of its first "
                    + TAG_AND_LENGTH + " bytes are there");
        }
        int n = Short.toUnsignedInt(in.getShort(p + 4));
        if (n < FIXED_PAYLOAD + 1 || n > FIXED_PAYLOAD + Identifiers.MAX_LENGTH) {
            return new Damaged("record at offset " + offset + " has payload length " + n + "; expected "
                    + (FIXED_PAYLOAD + 1) + " to " + (FIXED_PAYLOAD + Identifiers.MAX_LENGTH));
        }
        int size = TAG_AND_LENGTH + n + CRC_BYTES;
        if (available < size) {
            return new Damaged("torn record at offset " + offset + ": expected " + size + " bytes, only "
                    + available + " are there");
        }
        int stored = in.getInt(p + size - CRC_BYTES);
        int actual = crc(in, p, p + size - CRC_BYTES);
        if (stored != actual) {
            return new Damaged(String.format("record at offset %d (%d bytes) fails its check: CRC32C stored 0x%08x,"
                    + " computed 0x%08x", offset, size, stored, actual));
        }
        long seq = in.getLong(p + 6);
        long time = in.getLong(p + 14);
        double value = in.getDouble(p + 22);
        int nameLength = Byte.toUnsignedInt(in.get(p + 30));
        if (nameLength != n - FIXED_PAYLOAD) {
            return new Damaged("record at offset " + offset + " has name length " + nameLength + " in a payload of "
                    + n + " bytes; expected " + (n - FIXED_PAYLOAD));
        }
        byte[] name = new byte[nameLength];
        in.get(p + 31, name);
        String sensor = new String(name, StandardCharsets.US_ASCII);
        if (expectedSeq >= 0 && seq != expectedSeq) {
            return new Damaged("record at offset " + offset + " has seq " + seq + "; expected " + expectedSeq);
        }
        String problem = Identifiers.problem("sensor name", sensor);
        if (problem != null || !Double.isFinite(value)) {
            return new Damaged("record at offset " + offset + " (seq " + seq + ") is invalid: "
                    + (problem != null ? problem : "value " + value));
        }
        in.position(p + size);
        return new Found(new Reading(seq, sensor, time, value), size);
    }

    /**
     * Checks the magic number at offset 0 and the CRC32C stored at {@code crcOffset} over the bytes
     * before it: the opening checks of the meta file's slots and the segment headers.
     *
     * @param what names the CRC in the message, e.g. {@code "header CRC32C"}
     */
    static void checkMagicAndCrc(ByteBuffer b, int magic, int crcOffset, String what) throws SpoolFormatException {
        int actualMagic = b.getInt(0);
        if (actualMagic != magic) {
            throw new SpoolFormatException(String.format("magic 0x%08x, expected 0x%08x", actualMagic, magic));
        }
        int stored = b.getInt(crcOffset);
        int computed = crc(b, 0, crcOffset);
        if (stored != computed) {
            throw new SpoolFormatException(String.format("%s stored 0x%08x, computed 0x%08x", what, stored, computed));
        }
    }

    /**
     * Checks the format version (unsigned 16 bits at offset 4) and the length (unsigned 16 bits at offset 6)
     * that follow the magic number in the meta file's slots and the segment headers.
     *
     * @param sized describes a length in the message, e.g. {@code n -> "a " + n + "-byte header"}
     */
    static void checkVersionAndLength(ByteBuffer b, int version, int length, IntFunction<String> sized)
            throws SpoolFormatException {
        int actualVersion = Short.toUnsignedInt(b.getShort(4));
        int actualLength = Short.toUnsignedInt(b.getShort(6));
        if (actualVersion != version || actualLength != length) {
            throw new SpoolFormatException("format version " + actualVersion + " with " + sized.apply(actualLength)
                    + "; this client reads version " + version + " with " + sized.apply(length));
        }
    }

    /** CRC-32C of {@code buf}'s bytes {@code from} (inclusive) to {@code to} (exclusive); positions unchanged. */
    static int crc(ByteBuffer buf, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(to).position(from));
        return (int) crc.getValue();
    }
}
