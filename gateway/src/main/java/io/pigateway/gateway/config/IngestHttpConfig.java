package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The ingest HTTP server: InfluxDB's {@code POST /write} and {@code POST /api/v2/write}, and
 * {@code POST /v1/readings} (docs/INGEST.md). Off unless {@code ingest.http.enabled = true}. Keys
 * {@code ingest.http.*}.
 *
 * @param port          8086 by default, the port InfluxDB clients expect; 0 picks a free one (tests)
 * @param tls           HTTPS with the certificate of {@code tls.*} (which must then be enabled)
 * @param maxBodyBytes  the largest body, both as sent and after gzip is undone; checked against
 *                      Content-Length before reading, and while reading
 * @param maxRequests   requests handled at once; one more waits up to a second, then gets 503
 */
public record IngestHttpConfig(boolean enabled, InetAddress address, int port, boolean tls, int maxBodyBytes,
                               int maxRequests) {
    public static final int DEFAULT_PORT = 8086;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_REQUESTS = 4;

    public IngestHttpConfig {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (maxBodyBytes < 1 || maxRequests < 1) {
            throw new IllegalArgumentException("maxBodyBytes and maxRequests must be positive");
        }
    }

    public static IngestHttpConfig disabled() {
        return new IngestHttpConfig(false, InetAddress.getLoopbackAddress(), DEFAULT_PORT, false,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REQUESTS);
    }

    /** Enabled on loopback, any free port, plain HTTP: for tests. */
    public static IngestHttpConfig loopbackAnyPort() {
        return new IngestHttpConfig(true, InetAddress.getLoopbackAddress(), 0, false, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_REQUESTS);
    }

    public IngestHttpConfig withMaxBodyBytes(int bytes) {
        return new IngestHttpConfig(enabled, address, port, tls, bytes, maxRequests);
    }

    public IngestHttpConfig withTls(boolean on) {
        return new IngestHttpConfig(enabled, address, port, on, maxBodyBytes, maxRequests);
    }

    public static IngestHttpConfig from(Settings s) throws ConfigException {
        boolean enabled = s.bool("ingest.http.enabled", false);
        String rawAddress = s.string("ingest.http.address", "0.0.0.0");
        String literal = rawAddress.startsWith("[") && rawAddress.endsWith("]")
                ? rawAddress.substring(1, rawAddress.length() - 1) : rawAddress;
        InetAddress address;
        try {
            address = InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw s.invalid("ingest.http.address", rawAddress,
                    "must be an IP address or a resolvable host name (0.0.0.0 for all IPv4, :: for all)");
        }
        int port = s.intIn("ingest.http.port", DEFAULT_PORT, 0, 65535);
        boolean tls = s.bool("ingest.http.tls", false);
        if (enabled && tls && !s.bool("tls.enabled", false)) {
            throw s.invalid("ingest.http.tls", "true", "needs tls.enabled = true: HTTPS uses the certificate of tls.*");
        }
        int maxBody = s.intIn("ingest.http.max-body-bytes", DEFAULT_MAX_BODY_BYTES, 1024, 256 * 1024 * 1024);
        int maxRequests = s.intIn("ingest.http.max-requests", DEFAULT_MAX_REQUESTS, 1, 1024);
        if (enabled && port != 0) {
            int listenPort = s.intIn("listen.port", 4711, 0, 65535);
            int httpPort = s.bool("http.enabled", false) ? s.intIn("http.port", HttpConfig.DEFAULT_PORT, 0, 65535) : -1;
            if (port == listenPort || port == httpPort) {
                throw s.invalid("ingest.http.port", Integer.toString(port), "must differ from listen.port ("
                        + listenPort + ") and http.port (" + httpPort + ")");
            }
        }
        return new IngestHttpConfig(enabled, address, port, tls, maxBody, maxRequests);
    }
}
