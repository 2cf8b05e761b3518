package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the gateway accepts sensor clients. Port 0 picks a free port (tests). {@code listen.address}
 * may list several addresses (e.g. {@code 127.0.0.1, ::1}): the first is {@link #address}, the others
 * {@link #moreAddresses}, all on the same port. {@link #unixSocket} adds a Unix domain socket.
 */
public record ListenConfig(InetAddress address, int port, int backlog, List<InetAddress> moreAddresses,
                           UnixSocketConfig unixSocket) {
    public static final String DEFAULT_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_PORT = 4711;
    public static final int DEFAULT_BACKLOG = 128;

    public ListenConfig {
        Objects.requireNonNull(address, "address");
        moreAddresses = List.copyOf(moreAddresses);
        Objects.requireNonNull(unixSocket, "unixSocket");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen.port must be 0..65535, not " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("listen.backlog must be >= 1, not " + backlog);
        }
    }

    /** One address, no Unix socket. */
    public ListenConfig(InetAddress address, int port, int backlog) {
        this(address, port, backlog, List.of(), UnixSocketConfig.NONE);
    }

    /** The {@code listen.*} keys. */
    public static ListenConfig from(Settings s) throws ConfigException {
        List<InetAddress> addresses = ConfigAddress.parseList(s, "listen.address", DEFAULT_ADDRESS);
        return new ListenConfig(
                addresses.getFirst(),
                s.intIn("listen.port", DEFAULT_PORT, 0, 65535),
                s.intIn("listen.backlog", DEFAULT_BACKLOG, 1, 65535),
                addresses.subList(1, addresses.size()),
                unixSocket(s));
    }

    private static UnixSocketConfig unixSocket(Settings s) throws ConfigException {
        Path path = s.path("listen.unix-socket", null);
        if (path == null) {
            s.refuseIfSet("listen.unix-socket-mode", "listen.unix-socket unset");
            return UnixSocketConfig.NONE;
        }
        String modeText = s.string("listen.unix-socket-mode", UnixSocketConfig.DEFAULT_MODE);
        if (!path.isAbsolute()) {
            throw s.invalid("listen.unix-socket", path.toString(), "must be an absolute path, e.g. /run/pi-gateway/gateway.sock");
        }
        // sun_path holds 108 bytes with the terminating NUL on Linux; the socket is first bound next to the
        // path as .<name>.<pid>.new (UnixSocketServer), up to 20 bytes longer
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > 87) {
            throw s.invalid("listen.unix-socket", path.toString(), "is longer than 87 bytes (a Unix socket path may have"
                    + " 107, and the gateway binds a temporary name next to it first)");
        }
        var mode = UnixSocketConfig.parseMode(modeText);
        if (mode == null) {
            throw s.invalid("listen.unix-socket-mode", modeText, "must be an octal file mode such as 0660 (owner and"
                    + " group may connect) or 0600 (owner only)");
        }
        return new UnixSocketConfig(path, mode);
    }

    /** Every address, the first one first. */
    public List<InetAddress> addresses() {
        List<InetAddress> all = new ArrayList<>();
        all.add(address);
        all.addAll(moreAddresses);
        return all;
    }

    public ListenConfig withMoreAddresses(List<InetAddress> more) {
        return new ListenConfig(address, port, backlog, more, unixSocket);
    }

    public ListenConfig withUnixSocket(UnixSocketConfig unix) {
        return new ListenConfig(address, port, backlog, moreAddresses, unix);
    }
}
