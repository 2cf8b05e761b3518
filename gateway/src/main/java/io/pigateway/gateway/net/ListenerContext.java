package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.Store;

/**
 * What a {@link Listener} is built from, gathered once by the gateway: where it listens, the limits
 * and device secrets its connections are held to, TLS ({@link TlsConfig#DISABLED} for plaintext),
 * the store readings go to, whether each committed reading is logged, and where events are counted.
 * The listener derives its connections' {@link ConnectionContext} from it.
 */
public record ListenerContext(ListenConfig listen, LimitsConfig limits, AuthConfig auth, TlsConfig tls, Store store,
                              boolean logReadings, Metrics metrics) {
}
