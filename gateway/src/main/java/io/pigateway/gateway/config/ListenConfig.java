package io.pigateway.gateway.config;

import java.net.InetAddress;
import java.util.Objects;

/** Where the gateway accepts sensor clients. Port 0 picks a free port (tests). */
public record ListenConfig(InetAddress address, int port, int backlog) {
    public ListenConfig {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, not " + backlog);
        }
    }
}
