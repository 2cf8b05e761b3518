package io.pigateway.gateway.net;

import io.pigateway.protocol.Frames;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * What one fuzz input makes a client send on a fresh connection to the gateway. The input, byte by
 * byte:
 *
 * <pre>
 * offset 0    mode
 *               bit 0  repair: every complete frame in the bytes below gets its CRC32C recomputed
 *                      before sending, so a mutated payload reaches the handshake instead of
 *                      failing the CRC check (frames are walked from the start while magic and
 *                      length are plausible; the walk stops at the first that is not)
 *               bit 1  pause: send the first complete frame alone and read the gateway's answer
 *                      to it before sending the rest
 *               bits 2-7 unused
 * offset 1..  the bytes to send, as they are apart from repaired CRCs
 * </pre>
 *
 * An empty input connects and sends nothing.
 *
 * @param bytes         what is sent, in order
 * @param firstFrameEnd where the first complete frame ends in {@code bytes}; 0 if there is none
 * @param pause         whether to wait for an answer after the first frame
 */
record Opening(byte[] bytes, int firstFrameEnd, boolean pause) {
    static final int REPAIR = 1;
    static final int PAUSE = 2;

    /** Reads a fuzz input; frames longer than {@code maxPayloadBytes} are never counted as complete. */
    static Opening of(byte[] input, int maxPayloadBytes) {
        if (input.length == 0) {
            return new Opening(new byte[0], 0, false);
        }
        int mode = input[0] & 0xFF;
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        int firstEnd = 0;
        int start = 0;
        for (int end; (end = completeFrameEnd(bytes, start, maxPayloadBytes)) > 0; start = end) {
            if ((mode & REPAIR) != 0) {
                CRC32C crc = new CRC32C();
                crc.update(bytes, start, end - start - Frames.TRAILER_BYTES);
                ByteBuffer.wrap(bytes).putInt(end - Frames.TRAILER_BYTES, (int) crc.getValue());
            }
            if (firstEnd == 0) {
                firstEnd = end;
            }
        }
        return new Opening(bytes, firstEnd, (mode & PAUSE) != 0 && firstEnd > 0);
    }

    /** End of the frame starting at {@code start} if its magic is right and all of it is there, else 0. */
    private static int completeFrameEnd(byte[] bytes, int start, int maxPayloadBytes) {
        if (bytes.length - start < Frames.HEADER_BYTES) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, start, Frames.HEADER_BYTES);
        if ((header.getShort() & 0xFFFF) != Frames.MAGIC) {
            return 0;
        }
        long length = Integer.toUnsignedLong(header.getInt(start + 4));
        long end = start + Frames.HEADER_BYTES + length + Frames.TRAILER_BYTES;
        return length <= maxPayloadBytes && end <= bytes.length ? (int) end : 0;
    }

    byte[] firstPart() {
        return Arrays.copyOfRange(bytes, 0, pause ? firstFrameEnd : bytes.length);
    }

    byte[] rest() {
        return Arrays.copyOfRange(bytes, pause ? firstFrameEnd : bytes.length, bytes.length);
    }
}
