package io.pigateway.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
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
 *   <li>the {@link Budget} refuses more buffer for the bytes that arrive → whatever it throws</li>
 *   <li>CRC mismatch → {@link CorruptFrameException}</li>
 *   <li>unknown type with a good CRC → {@link UnknownFrameTypeException}</li>
 *   <li>a HELLO announcing more sensors than allowed → {@link TooManySensorsException}, before they are decoded</li>
 *   <li>payload structure wrong → {@link CorruptFrameException}</li>
 *   <li>stream ends inside a frame → {@link EOFException} with the byte counts</li>
 * </ol>
 *
 * <p>Memory: nothing is buffered between frames (a gateway holds thousands of mostly idle
 * connections, each with one reader), and a payload buffer grows with the bytes that actually
 * arrive, not with the length the header declares: it is allocated when the first payload byte
 * arrives ({@value #FIRST_CHUNK_BYTES} bytes, or what is already readable) and at most doubled each
 * time it is full and more arrives. A header announcing 256 KiB followed by silence costs nothing
 * more than the header; by a trickle, at most twice what arrived.
 */
public final class FrameReader {
    /** Smallest payload buffer, allocated with the first payload byte; it doubles (or grows to what is readable) when full. */
    static final int FIRST_CHUNK_BYTES = 512;

    /**
     * Where a reader accounts the payload buffers it holds, e.g. one budget for all connections of a
     * gateway. {@link #take} is called before a buffer grows; {@link #give} when the frame is done
     * (decoded or failed), with the sum taken for it.
     */
    public interface Budget {
        /** No accounting. */
        Budget UNLIMITED = new Budget() {
            @Override
            public void take(int bytes) {
            }

            @Override
            public void give(int bytes) {
            }
        };

        /** Reserves {@code bytes} more, or throws (e.g. a {@link ProtocolException}) if the budget cannot spare them. */
        void take(int bytes) throws IOException;

        void give(int bytes);
    }

    private static final byte[] NOTHING = new byte[0];

    private final InputStream in;
    private final Budget budget;
    private final int maxHelloSensors;
    private int maxPayloadBytes;
    private final byte[] header = new byte[Frames.HEADER_BYTES];

    /** A reader with no sensor limit but the wire's and no budget. */
    public FrameReader(InputStream in, int maxPayloadBytes) {
        this(in, maxPayloadBytes, Payloads.MAX_U16, Budget.UNLIMITED);
    }

    /**
     * @param maxPayloadBytes largest payload accepted, until {@link #maxPayloadBytes(int)} changes it
     * @param maxHelloSensors most sensors a HELLO may announce (0..65535)
     * @param budget          accounts the payload buffers
     */
    public FrameReader(InputStream in, int maxPayloadBytes, int maxHelloSensors, Budget budget) {
        if (maxHelloSensors < 0 || maxHelloSensors > Payloads.MAX_U16) {
            throw new IllegalArgumentException("maxHelloSensors must be 0.." + Payloads.MAX_U16 + ", not " + maxHelloSensors);
        }
        this.in = in;
        this.budget = budget;
        this.maxHelloSensors = maxHelloSensors;
        maxPayloadBytes(maxPayloadBytes);
    }

    /** Sets the largest payload accepted from the next frame on (e.g. raised once a peer is authenticated). */
    public void maxPayloadBytes(int max) {
        if (max <= 0 || max > Frames.PROTOCOL_MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayloadBytes must be 1.." + Frames.PROTOCOL_MAX_PAYLOAD
                    + ", not " + max);
        }
        this.maxPayloadBytes = max;
    }

    /** The next message, or {@code null} if the stream ended cleanly between two frames. */
    public Message read() throws IOException {
        int first = in.read(header, 0, Frames.HEADER_BYTES);
        if (first < 0) {
            return null;
        }
        readFully(header, first, Frames.HEADER_BYTES - first, 0, "frame header");
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
        int payloadLength = (int) length;
        // Payload and CRC are read into one buffer: usually one read() for both.
        int total = payloadLength + Frames.TRAILER_BYTES;
        int taken = 0;
        try {
            byte[] body = NOTHING;
            int filled = 0;
            while (filled < total) {
                if (filled == body.length) {
                    // Grow only once the peer has actually sent more: wait for one byte first.
                    int next = in.read();
                    if (next < 0) {
                        throw endedInside(filled, payloadLength);
                    }
                    long wanted = body.length == 0 ? Math.max(FIRST_CHUNK_BYTES, 1L + in.available())
                            : Math.max(2L * body.length, filled + 1L + in.available());
                    int grown = (int) Math.min(total, wanted);
                    budget.take(grown - body.length);
                    taken += grown - body.length;
                    body = Arrays.copyOf(body, grown);
                    body[filled++] = (byte) next;
                    continue;
                }
                int n = in.read(body, filled, body.length - filled);
                if (n < 0) {
                    throw endedInside(filled, payloadLength);
                }
                filled += n;
            }
            int expected = ((body[payloadLength] & 0xFF) << 24) | ((body[payloadLength + 1] & 0xFF) << 16)
                    | ((body[payloadLength + 2] & 0xFF) << 8) | (body[payloadLength + 3] & 0xFF);
            CRC32C crc = new CRC32C();
            crc.update(header);
            crc.update(body, 0, payloadLength);
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
            return Payloads.decode(type, body, payloadLength, maxHelloSensors);
        } finally {
            budget.give(taken);
        }
    }

    private static EOFException endedInside(int bodyBytes, int payloadLength) {
        return new EOFException("stream ended inside a frame after " + (Frames.HEADER_BYTES + bodyBytes)
                + " bytes, while reading the " + (bodyBytes < payloadLength ? "frame payload" : "frame CRC"));
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
