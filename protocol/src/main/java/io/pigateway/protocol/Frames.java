package io.pigateway.protocol;

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
 *
 * <p>Example: a READINGS frame with one reading (seq 1, sensor {@code temp}, sampled at
 * 1700000000000 ms = 2023-11-14T22:13:20Z, value 21.5), 48 bytes (vector {@code readings-one} in the
 * protocol tests' {@code frame-vectors.txt}):
 *
 * <pre>
 * 50 47 01 03 00 00 00 24   header: magic, version 1, type 3 READINGS, payload 36 bytes
 * 00 01                     sensorCount 1
 * 00 04 74 65 6d 70         sensor 0: "temp"
 * 00 01                     readingCount 1
 * 00 00 00 00 00 00 00 01   seq 1
 * 00 00                     sensorIndex 0 ("temp")
 * 00 00 01 8b cf e5 68 00   timestampMillis 1700000000000
 * 40 35 80 00 00 00 00 00   value 21.5 (IEEE 754 double)
 * 01 aa f5 1a               CRC32C of the 44 bytes before it
 * </pre>
 *
 * Frames are written by {@link FrameWriter} and read by {@link FrameReader}.
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

    /** Bytes a READINGS frame needs on the wire for these sensor names and reading count. */
    public static long readingsFrameBytes(Iterable<String> distinctSensorNames, int readingCount) {
        long bytes = HEADER_BYTES + TRAILER_BYTES + 2 + 2 + (long) readingCount * Payloads.READING_BYTES;
        for (String name : distinctSensorNames) {
            bytes += 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return bytes;
    }
}
