package io.pigateway.gateway.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The HTTP endpoint for Prometheus ({@code /metrics}) and health checks ({@code /health}). Off unless
 * enabled; on loopback by default, since it has no authentication. Port 0 picks a free port (tests).
 */
public record HttpConfig(boolean enabled, InetAddress address, int port) {
    public static final int DEFAULT_PORT = 9471;

    public HttpConfig {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
    }

    public static HttpConfig disabled() {
        return new HttpConfig(false, InetAddress.getLoopbackAddress(), DEFAULT_PORT);
    }

    /** Enabled on loopback, any free port: for tests. */
    public static HttpConfig loopbackAnyPort() {
        return new HttpConfig(true, InetAddress.getLoopbackAddress(), 0);
    }
}
