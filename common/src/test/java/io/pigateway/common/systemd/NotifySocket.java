package io.pigateway.common.systemd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The systemd side of sd_notify, for tests: a real AF_UNIX datagram socket (bound to a path or an
 * abstract name) that collects every datagram on a thread of its own. Its address goes into
 * {@code NOTIFY_SOCKET}.
 */
public final class NotifySocket implements AutoCloseable {
    private static final int POLLIN = 0x1;
    private static final int POLL_MILLIS = 50;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

        int poll(byte[] fds, NativeLong nfds, int timeout) throws LastErrorException;

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final String address;
    private final Path path;
    private final int fd;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;

    /** One datagram and when it arrived (System.nanoTime). */
    public record Received(String text, long nanos) {
    }

    private NotifySocket(String address, Path path) throws IOException {
        this.address = address;
        this.path = path;
        byte[] sockaddr = UnixDatagram.sockaddr(address);
        try {
            fd = LibC.INSTANCE.socket(UnixDatagram.AF_UNIX, UnixDatagram.SOCK_DGRAM | UnixDatagram.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("socket: " + e.getMessage(), e);
        }
        try {
            LibC.INSTANCE.bind(fd, sockaddr, sockaddr.length);
        } catch (LastErrorException e) {
            LibC.INSTANCE.close(fd);
            throw new IOException("bind " + address + ": " + e.getMessage(), e);
        }
        reader = Thread.ofPlatform().name("notify-socket-reader").daemon().start(this::read);
    }

    /** Bound to a file {@code notify.sock} in {@code dir} (keep the path short: sun_path holds 107 bytes). */
    public static NotifySocket atPath(Path dir) throws IOException {
        Path p = dir.resolve("notify.sock").toAbsolutePath();
        return new NotifySocket(p.toString(), p);
    }

    /** Bound to a fresh abstract name; the address starts with '@'. */
    public static NotifySocket abstractName() throws IOException {
        return new NotifySocket("@pigw-test-notify-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), null);
    }

    /** What to put in {@code NOTIFY_SOCKET}. */
    public String address() {
        return address;
    }

    private void read() {
        byte[] pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(fd).putShort((short) POLLIN)
                .putShort((short) 0).array();
        byte[] buf = new byte[4096];
        while (!closed) {
            try {
                if (LibC.INSTANCE.poll(pollfd, new NativeLong(1), POLL_MILLIS) <= 0) {
                    continue;
                }
                int n = LibC.INSTANCE.recv(fd, buf, new NativeLong(buf.length), UnixDatagram.MSG_DONTWAIT).intValue();
                received.add(new Received(new String(buf, 0, n, StandardCharsets.UTF_8), System.nanoTime()));
            } catch (LastErrorException e) {
                if (closed) {
                    return;
                }
                // EINTR or EAGAIN: poll again
            }
        }
    }

    /** The next datagram, waiting up to {@code timeout}; null if none came. */
    public Received next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next datagram containing {@code text}, skipping others; fails the test if none comes in time. */
    public Received await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
            if (r == null) {
                throw new AssertionError("no datagram containing '" + text + "' within " + timeout.toMillis()
                        + " ms; got " + skipped);
            }
            if (r.text().contains(text)) {
                return r;
            }
            skipped.add(r.text());
        }
    }

    /** Everything received and not yet taken, waiting {@code quiet} for stragglers first. */
    public List<Received> drain(Duration quiet) throws InterruptedException {
        Thread.sleep(quiet.toMillis());
        List<Received> all = new ArrayList<>();
        received.drainTo(all);
        return all;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        reader.join(Duration.ofSeconds(2));
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // already gone
        }
        if (path != null) {
            Files.deleteIfExists(path);
        }
    }
}
