package io.pigateway.common.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A connected Unix domain socket ({@code AF_UNIX}, {@code SOCK_STREAM}) behind the {@link Socket}
 * API, so that the code that speaks the binary protocol over TCP speaks it here unchanged (the JDK's
 * own socket adaptor does the same for TCP channels; it does not exist for Unix channels).
 *
 * <p>What differs from TCP: options that only TCP has ({@code TCP_NODELAY}, keep-alive) are ignored;
 * {@link #getInetAddress()} is the loopback address, since the peer is a process on this host, and
 * {@link #getRemoteSocketAddress()} is the socket file's path. A read timeout ({@link #setSoTimeout})
 * ends the input for good: the read that times out shuts the input down, so that the blocked read
 * returns, and throws {@link SocketTimeoutException}; every later read throws it again. The code
 * that uses this class treats a read timeout as the end of the connection anyway.
 *
 * <p>One thread may read while another writes, as with a TCP socket; {@link #close} may come from any thread.
 */
public final class UnixSocket extends Socket {
    /** Ends reads that time out; a daemon, so it never holds the JVM up. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final SocketChannel channel;
    /** The socket file: the client's own end of an accepted socket has no name, so both ends show this path. */
    private final Path path;
    private final Object timing = new Object();
    private volatile int timeoutMillis;
    private volatile boolean timedOut;
    /** The number of the read under way, so that a timer left over from an earlier read does nothing. */
    private long readNumber;
    private long timedRead = -1;
    private final InputStream in = new Input();
    private final OutputStream out = new Output();

    /** Wraps a connected channel, e.g. one a server channel accepted on {@code path}. */
    public UnixSocket(SocketChannel channel, Path path) throws IOException {
        super((java.net.SocketImpl) null);
        this.channel = channel;
        this.path = path;
        channel.configureBlocking(true);
    }

    /** Connects to the socket file {@code path}; a refused or missing socket throws at once. */
    public static UnixSocket connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
            return new UnixSocket(channel, path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot connect to unix:" + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public void setSoTimeout(int timeout) {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must be >= 0 ms, not " + timeout);
        }
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() {
        return timeoutMillis;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // not TCP: writes go to the peer at once anyway
    }

    @Override
    public void setKeepAlive(boolean on) {
        // not TCP: a peer that dies closes its end, which the kernel reports at once
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public boolean isBound() {
        return true;
    }

    /** The loopback address: the peer runs on this host, and per-source limits count it as such. */
    @Override
    public InetAddress getInetAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public int getPort() {
        return 0;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public String toString() {
        return "unix:" + path;
    }

    private int read(ByteBuffer buffer) throws IOException {
        if (timedOut) {
            throw new SocketTimeoutException("read timed out on unix:" + path);
        }
        int timeout = timeoutMillis;
        if (timeout == 0) {
            return channel.read(buffer);
        }
        long number;
        synchronized (timing) {
            number = ++readNumber;
            timedRead = number;
        }
        ScheduledFuture<?> timer = TIMER.schedule(() -> expire(number), timeout, TimeUnit.MILLISECONDS);
        int n;
        try {
            n = channel.read(buffer);
        } finally {
            synchronized (timing) {
                timedRead = -1;
            }
            timer.cancel(false);
        }
        if (n <= 0 && timedOut) {
            throw new SocketTimeoutException("no data within " + timeout + " ms on unix:" + path);
        }
        return n;
    }

    /** The timer's side: shuts the input down if read {@code number} is still waiting. */
    private void expire(long number) {
        synchronized (timing) {
            if (timedRead != number) {
                return;
            }
            timedOut = true;
        }
        try {
            channel.shutdownInput(); // the blocked read returns -1, and reports the timeout
        } catch (IOException e) {
            // closed meanwhile: the read ends anyway
        }
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n;
            do {
                n = read(one, 0, 1);
            } while (n == 0);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return UnixSocket.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            UnixSocket.this.close();
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer); // blocking: returns once some bytes went, never 0 forever
            }
        }

        @Override
        public void close() throws IOException {
            UnixSocket.this.close();
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("unix-socket-timeouts").daemon().unstarted(r));
        t.setRemoveOnCancelPolicy(true); // a cancelled timer of every read must not pile up in the queue
        return t;
    }
}
