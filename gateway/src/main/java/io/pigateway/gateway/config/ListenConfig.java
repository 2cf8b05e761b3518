package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.util.Objects;

/** Where the gateway accepts sensor clients. Port 0 picks a free port (tests). */
public record ListenConfig(InetAddress address, int port, int backlog) {
    public static final String DEFAULT_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_PORT = 4711;
    public static final int DEFAULT_BACKLOG = 128;

    public ListenConfig {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen.port must be 0..65535, not " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("listen.backlog must be >= 1, not " + backlog);
        }
    }

    /** The {@code listen.*} keys. */
    public static ListenConfig from(Settings s) throws ConfigException {
        return new ListenConfig(
                ConfigAddress.parse(s, "listen.address", DEFAULT_ADDRESS),
                s.intIn("listen.port", DEFAULT_PORT, 0, 65535),
                s.intIn("listen.backlog", DEFAULT_BACKLOG, 1, 65535));
    }
}
