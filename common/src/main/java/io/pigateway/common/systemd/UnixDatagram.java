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

/**
 * Sends one datagram to an AF_UNIX datagram socket, which is what systemd's {@code $NOTIFY_SOCKET}
 * is. The JDK's Unix-domain channels are stream-only, so this calls libc through JNA; it is the only
 * class that touches JNA. JNA ships its native stub for linux-aarch64 and linux-arm (armhf) as well
 * as x86-64, so this runs on every Raspberry Pi OS.
 */
final class UnixDatagram {
    /** The same on every Linux architecture. */
    static final int AF_UNIX = 1;
    /** Linux values on x86, ARM and aarch64 (MIPS, SPARC and Alpha differ; not Pi targets). */
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    /** Never block: a notification systemd cannot take at once is reported as failed, not waited for. */
    static final int MSG_DONTWAIT = 0x40;
    /** {@code sizeof(sun_path)} in {@code struct sockaddr_un} on Linux. */
    static final int SUN_PATH_MAX = 108;
    /** {@code sizeof(sa_family_t)}. */
    private static final int FAMILY_BYTES = 2;

    private UnixDatagram() {
    }

    /** The slice of libc used here; errno is turned into a {@link LastErrorException}. */
    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** Loaded on first use, so a program that never notifies never loads native code. */
    private static final class Holder {
        static final LibC LIBC = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
    }

    /**
     * Sends {@code payload} as one datagram from a fresh socket, as sd_notify does.
     *
     * @param address a filesystem path ({@code /run/systemd/notify}) or an abstract socket name
     *                written with a leading {@code @}
     * @throws IOException naming the address and the OS error, or why native code could not be loaded
     */
    static void send(String address, byte[] payload) throws IOException {
        byte[] sockaddr = sockaddr(address);
        LibC libc;
        try {
            libc = Holder.LIBC;
        } catch (LinkageError e) {
            // No JNA jar, or its native stub could not be unpacked (see jna.tmpdir in docs/SYSTEMD.md).
            throw new IOException("cannot load JNA's native library: " + e, e);
        }
        int fd;
        try {
            fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: " + e.getMessage(), e);
        }
        try {
            long sent = libc.sendto(fd, payload, new NativeLong(payload.length), MSG_DONTWAIT, sockaddr, sockaddr.length)
                    .longValue();
            if (sent != payload.length) {
                throw new IOException("sendto " + address + " sent " + sent + " of " + payload.length + " bytes");
            }
        } catch (LastErrorException e) {
            throw new IOException("sendto " + address + " failed: " + e.getMessage(), e);
        } finally {
            try {
                libc.close(fd);
            } catch (LastErrorException e) {
                // The datagram is sent or not; a failed close of a datagram socket changes nothing.
            }
        }
    }

    /**
     * {@code struct sockaddr_un}, cut to the length passed to sendto:
     * <pre>
     * bytes 0-1   sun_family = AF_UNIX, native byte order
     * path:       bytes 2..   the path in UTF-8, then one NUL        (length 2 + n + 1)
     * abstract:   byte 2 = 0, then the name after '@' in UTF-8, no NUL (length 2 + 1 + n)
     * </pre>
     * An abstract name is exactly the bytes counted by the length, so it must not be padded.
     *
     * @throws IOException if the address is empty, neither a path nor '@'-name, or longer than sun_path
     */
    static byte[] sockaddr(String address) throws IOException {
        if (address == null || address.isEmpty()) {
            throw new IOException("no socket address");
        }
        boolean abstractName = address.charAt(0) == '@';
        if (!abstractName && address.charAt(0) != '/') {
            throw new IOException("socket address '" + address + "' is neither an absolute path nor an abstract"
                    + " name starting with '@'");
        }
        byte[] name = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        // One byte more in either case: the leading NUL of an abstract name, the trailing NUL of a path.
        int pathBytes = name.length + 1;
        if (pathBytes > SUN_PATH_MAX) {
            throw new IOException("socket address '" + address + "' is longer than the " + (SUN_PATH_MAX - 1)
                    + " bytes a Unix socket address can hold");
        }
        ByteBuffer b = ByteBuffer.allocate(FAMILY_BYTES + pathBytes).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        if (abstractName) {
            b.put((byte) 0).put(name);
        } else {
            b.put(name).put((byte) 0);
        }
        return b.array();
    }
}
