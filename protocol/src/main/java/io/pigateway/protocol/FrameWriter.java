package io.pigateway.protocol;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes whole frames to a stream, flushing after each so a frame never waits in a buffer. Safe for
 * several threads: a frame is written under the writer's lock, so frames never interleave.
 */
public final class FrameWriter {
    private final OutputStream out;

    public FrameWriter(OutputStream out) {
        this.out = out;
    }

    public void write(Message message) throws IOException {
        byte[] frame = Frames.encode(message);
        synchronized (this) {
            out.write(frame);
            out.flush();
        }
    }
}
