package io.pigateway.gateway.config;

import java.net.InetAddress;
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
    public ListenConfig {
        Objects.requireNonNull(address, "address");
        moreAddresses = List.copyOf(moreAddresses);
        Objects.requireNonNull(unixSocket, "unixSocket");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, not " + backlog);
        }
    }

    /** One address, no Unix socket. */
    public ListenConfig(InetAddress address, int port, int backlog) {
        this(address, port, backlog, List.of(), UnixSocketConfig.NONE);
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
