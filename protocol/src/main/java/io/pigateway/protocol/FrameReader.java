package io.pigateway.protocol;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * Reads frames (layout in {@link Frames}) from a blocking stream, one {@link Message} per call.
 * Not thread-safe: one reader thread per connection.
 *
 * <p>Errors, in the order they are checked:
 * <ol>
 *   <li>wrong magic → {@link CorruptFrameException}</li>
 *   <li>version other than 1 → {@link UnsupportedVersionException}</li>
 *   <li>length above the maximum → {@link FrameTooLongException}, before any allocation</li>
 *   <li>CRC mismatch → {@link CorruptFrameException}</li>
 *   <li>unknown type with a good CRC → {@link UnknownFrameTypeException}</li>
 *   <li>payload structure wrong → {@link CorruptFrameException}</li>
 *   <li>stream ends inside a frame → {@link EOFException} with the byte counts</li>
 * </ol>
 */
public final class FrameReader {
    /**
     * Small on purpose: a gateway holds thousands of mostly idle connections, each with one reader.
     * Headers come out of this buffer; a payload larger than it is read straight into its array.
     */
    private static final int READ_BUFFER_BYTES = 2048;

    private final InputStream in;
    private final int maxPayloadBytes;
    private final byte[] header = new byte[Frames.HEADER_BYTES];
    private final byte[] trailer = new byte[Frames.TRAILER_BYTES];

    public FrameReader(InputStream in, int maxPayloadBytes) {
        if (maxPayloadBytes <= 0 || maxPayloadBytes > Frames.PROTOCOL_MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayloadBytes must be 1.." + Frames.PROTOCOL_MAX_PAYLOAD
                    + ", not " + maxPayloadBytes);
        }
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, READ_BUFFER_BYTES);
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The next message, or {@code null} if the stream ended cleanly between two frames. */
    public Message read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        readFully(header, 1, Frames.HEADER_BYTES - 1, 0, "frame header");
        int magic = ((header[0] & 0xFF) << 8) | (header[1] & 0xFF);
        if (magic != Frames.MAGIC) {
            throw new CorruptFrameException(String.format(
                    "bad frame magic 0x%04x, expected 0x%04x (not a pi-gateway v1 stream, or out of step)",
                    magic, Frames.MAGIC));
        }
        int version = header[2] & 0xFF;
        if (version != Frames.VERSION) {
            throw new UnsupportedVersionException(version);
        }
        int typeCode = header[3] & 0xFF;
        long length = Integer.toUnsignedLong(
                ((header[4] & 0xFF) << 24) | ((header[5] & 0xFF) << 16) | ((header[6] & 0xFF) << 8) | (header[7] & 0xFF));
        if (length > maxPayloadBytes) {
            throw new FrameTooLongException(length, maxPayloadBytes);
        }
        byte[] payload = new byte[(int) length];
        readFully(payload, 0, payload.length, Frames.HEADER_BYTES, "frame payload");
        readFully(trailer, 0, Frames.TRAILER_BYTES, Frames.HEADER_BYTES + payload.length, "frame CRC");
        int expected = ((trailer[0] & 0xFF) << 24) | ((trailer[1] & 0xFF) << 16) | ((trailer[2] & 0xFF) << 8)
                | (trailer[3] & 0xFF);
        CRC32C crc = new CRC32C();
        crc.update(header);
        crc.update(payload);
        int actual = (int) crc.getValue();
        if (actual != expected) {
            throw new CorruptFrameException(String.format(
                    "CRC32C mismatch on a %d-byte frame of type 0x%02x: frame says 0x%08x, content gives 0x%08x",
                    Frames.HEADER_BYTES + length + Frames.TRAILER_BYTES, typeCode, expected, actual));
        }
        FrameType type = FrameType.ofCode(typeCode);
        if (type == null) {
            throw new UnknownFrameTypeException(typeCode);
        }
        return Payloads.decode(type, payload);
    }

    private void readFully(byte[] buffer, int offset, int length, int frameOffset, String what) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(buffer, offset + done, length - done);
            if (n < 0) {
                throw new EOFException("stream ended inside a frame after " + (frameOffset + offset + done)
                        + " bytes, while reading the " + what);
            }
            done += n;
        }
    }
}
