package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.nio.file.Path;
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
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 9471;
    public static final Duration DEFAULT_LATE_AFTER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SILENT_AFTER = Duration.ofMinutes(5);

    public HttpConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(lateAfter, "lateAfter");
        Objects.requireNonNull(silentAfter, "silentAfter");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http.port must be 0..65535, not " + port);
        }
        if (lateAfter.isNegative() || lateAfter.isZero() || silentAfter.compareTo(lateAfter) <= 0) {
            throw new IllegalArgumentException("need 0 < status.late-after < status.silent-after, not " + lateAfter + ", " + silentAfter);
        }
    }

    /** The {@code http.*} and {@code status.*} keys; the port must not collide with {@code listen}'s. */
    public static HttpConfig from(Settings s, ListenConfig listen) throws ConfigException {
        Duration late = s.duration("status.late-after", DEFAULT_LATE_AFTER, Duration.ofSeconds(1),
                Duration.ofDays(1));
        Duration silent = s.duration("status.silent-after", DEFAULT_SILENT_AFTER, Duration.ofSeconds(2),
                Duration.ofDays(7));
        if (silent.compareTo(late) <= 0) {
            throw s.invalid("status.silent-after", Settings.format(silent), "must be longer than status.late-after ("
                    + Settings.format(late) + ")");
        }
        AccessToken token = null;
        Path tokenFile = SecretFile.resolve(s, "http.token-file");
        if (tokenFile != null) {
            String raw = s.string("http.token-file", "");
            String line = s.fromFiles("http.token-file", () -> SecretFile.at(tokenFile).firstLine());
            try {
                token = new AccessToken(line.strip());
            } catch (IllegalArgumentException e) {
                throw s.invalid("http.token-file", raw, e.getMessage());
            }
        }
        HttpConfig http = new HttpConfig(
                s.bool("http.enabled", false),
                ConfigAddress.parse(s, "http.address", DEFAULT_ADDRESS),
                s.intIn("http.port", DEFAULT_PORT, 0, 65535),
                late, silent, token);
        boolean overlap = http.address().isAnyLocalAddress() || listen.address().isAnyLocalAddress()
                || listen.addresses().contains(http.address());
        if (http.enabled() && http.port() != 0 && http.port() == listen.port() && overlap) {
            throw s.invalid("http.port", Integer.toString(http.port()), "must differ from listen.port ("
                    + listen.port() + "), which the sensor clients use on the same address");
        }
        return http;
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
