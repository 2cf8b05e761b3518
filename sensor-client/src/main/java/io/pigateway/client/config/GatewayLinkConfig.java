package io.pigateway.client.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the gateways are and how long to wait for them.
 *
 * @param addresses      tried in turn; the first that completes a handshake is used
 * @param connectTimeout limit for the TCP connect, then for the TLS handshake (if any), then for the
 *                       HELLO_OK answer, each separately
 * @param pingInterval   a PING is sent after this long without sending anything, so the gateway's
 *                       idle timeout does not cut a quiet client; silence from the gateway for twice
 *                       this long while an answer is due counts as a dead connection
 * @param tls            TLS to the gateway, or {@link GatewayTlsConfig#DISABLED}
 */
public record GatewayLinkConfig(List<GatewayAddress> addresses, Duration connectTimeout, Duration pingInterval,
                            GatewayTlsConfig tls) {
    public GatewayLinkConfig {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one gateway address is needed");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(tls, "tls");
    }

    /** Without TLS. */
    public GatewayLinkConfig(List<GatewayAddress> addresses, Duration connectTimeout, Duration pingInterval) {
        this(addresses, connectTimeout, pingInterval, GatewayTlsConfig.DISABLED);
    }
}
