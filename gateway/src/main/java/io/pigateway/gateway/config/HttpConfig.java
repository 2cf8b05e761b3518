package io.pigateway.gateway.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP endpoint for Prometheus ({@code /metrics}), health checks ({@code /health}) and the
 * status page ({@code /}). Off unless enabled; on loopback by default. Port 0 picks a free port
 * (tests).
 *
 * @param lateAfter   a device whose last committed reading is older than this shows as late
 * @param silentAfter ... and older than this as silent
 * @param token       the access token every path but {@code /health} then requires; {@code null}: none
 */
public record HttpConfig(boolean enabled, InetAddress address, int port, Duration lateAfter, Duration silentAfter,
                         AccessToken token) {
    public static final int DEFAULT_PORT = 9471;
    public static final Duration DEFAULT_LATE_AFTER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SILENT_AFTER = Duration.ofMinutes(5);

    public HttpConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(lateAfter, "lateAfter");
        Objects.requireNonNull(silentAfter, "silentAfter");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (lateAfter.isNegative() || lateAfter.isZero() || silentAfter.compareTo(lateAfter) <= 0) {
            throw new IllegalArgumentException("need 0 < lateAfter < silentAfter, not " + lateAfter + ", " + silentAfter);
        }
    }

    public HttpConfig(boolean enabled, InetAddress address, int port) {
        this(enabled, address, port, DEFAULT_LATE_AFTER, DEFAULT_SILENT_AFTER, null);
    }

    public static HttpConfig disabled() {
        return new HttpConfig(false, InetAddress.getLoopbackAddress(), DEFAULT_PORT);
    }

    /** Enabled on loopback, any free port: for tests. */
    public static HttpConfig loopbackAnyPort() {
        return new HttpConfig(true, InetAddress.getLoopbackAddress(), 0);
    }

    public HttpConfig withStatusThresholds(Duration late, Duration silent) {
        return new HttpConfig(enabled, address, port, late, silent, token);
    }

    public HttpConfig withToken(AccessToken newToken) {
        return new HttpConfig(enabled, address, port, lateAfter, silentAfter, newToken);
    }
}
