package io.pigateway.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Writes whole frames to a stream, flushing after each so a frame never waits in a buffer. Safe for
 * several threads: a frame is written under the writer's lock, so frames never interleave. The
 * layout is in {@link Frames}; {@link #encode} builds one frame's bytes.
 */
public final class FrameWriter {
    private final OutputStream out;

    public FrameWriter(OutputStream out) {
        this.out = out;
    }

    /** The complete frame for {@code message}: header, payload and CRC. */
    public static byte[] encode(Message message) {
        byte[] payload = Payloads.encode(message);
        ByteBuffer frame = ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length + Frames.TRAILER_BYTES);
        frame.putShort((short) Frames.MAGIC)
                .put((byte) Frames.VERSION)
                .put((byte) message.type().code())
                .putInt(payload.length)
                .put(payload);
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 0, frame.position());
        frame.putInt((int) crc.getValue());
        return frame.array();
    }

    public void write(Message message) throws IOException {
        byte[] frame = encode(message);
        synchronized (this) {
            out.write(frame);
            out.flush();
        }
    }
}
