package io.pigateway.protocol;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Frame layout of protocol v1. Every frame on the TCP stream is:
 *
 * <pre>
 * offset  size  field
 *   0      2    magic 0x50 0x47 ("PG"): garbage, TLS or HTTP bytes fail here at once
 *   2      1    version, 0x01
 *   3      1    type, see {@link FrameType}
 *   4      4    payload length N, unsigned big-endian; checked against the receiver's maximum
 *               before anything is allocated
 *   8      N    payload, see {@link Payloads}
 * 8+N      4    CRC32C (Castagnoli) of bytes 0 .. 8+N-1, big-endian
 * </pre>
 *
 * Example: a PING with nonce 1 is
 * {@code 50 47 01 06 00 00 00 08 | 00 00 00 00 00 00 00 01 | crc32c(previous 16 bytes)}.
 */
public final class Frames {
    public static final int MAGIC = 0x5047;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 8;
    public static final int TRAILER_BYTES = 4;
    /** No receiver may be configured to accept more payload than this in one frame. */
    public static final int PROTOCOL_MAX_PAYLOAD = 16 * 1024 * 1024;
    /** Largest payload a sender may assume until a HELLO_OK tells it the gateway's limit. */
    public static final int DEFAULT_MAX_PAYLOAD = 256 * 1024;

    private Frames() {
    }

    /** The complete frame for {@code message}: header, payload and CRC. */
    public static byte[] encode(Message message) {
        byte[] payload = Payloads.encode(message);
        ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + payload.length + TRAILER_BYTES);
        frame.putShort((short) MAGIC)
                .put((byte) VERSION)
                .put((byte) message.type().code())
                .putInt(payload.length)
                .put(payload);
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 0, frame.position());
        frame.putInt((int) crc.getValue());
        return frame.array();
    }

    /** Bytes a READINGS frame needs on the wire for these sensor names and reading count. */
    public static long readingsFrameBytes(Iterable<String> distinctSensorNames, int readingCount) {
        long bytes = HEADER_BYTES + TRAILER_BYTES + 2 + 2 + (long) readingCount * Payloads.READING_BYTES;
        for (String name : distinctSensorNames) {
            bytes += 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return bytes;
    }
}
