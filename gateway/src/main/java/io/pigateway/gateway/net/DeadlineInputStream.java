package io.pigateway.gateway.net;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A socket's input with one deadline for a whole frame, not one per {@code read()}: the socket's
 * read timeout is set to the time left before each read, so a client that trickles a byte a second
 * (slowloris) is cut off when the deadline passes, as one that sends nothing is.
 */
final class DeadlineInputStream extends FilterInputStream {
    private final Socket socket;
    private long deadlineNanos;

    DeadlineInputStream(Socket socket, InputStream in) {
        super(in);
        this.socket = socket;
    }

    /** The next bytes must arrive within {@code d} from now. */
    void expireIn(Duration d) {
        deadlineNanos = System.nanoTime() + d.toNanos();
    }

    // in.read, not super.read: one frame less on the stack an idle connection parks with (DeviceConnection).
    @Override
    public int read() throws IOException {
        armTimeout();
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        armTimeout();
        return in.read(b, off, len);
    }

    private void armTimeout() throws IOException {
        long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (leftMillis <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
    }
}
