package io.pigateway.gateway.testing;

import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.HandshakeLimits;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.config.WriterConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/** The gateway configuration tests start from; each test changes what it is about with the {@code with...} methods. */
public final class TestGatewayConfig {
    private TestGatewayConfig() {
    }

    /**
     * Loopback, a free port, an embedded store in {@code dir}, any device accepted and no rate limits
     * on readings or new connections (tests of those set them).
     */
    public static GatewayConfig forTests(Path dir) {
        return new GatewayConfig(new ListenConfig(InetAddress.getLoopbackAddress(), 0, 128),
                LimitsConfig.defaults().withMaxReadingsPerSecond(0)
                        .withHandshakeLimits(HandshakeLimits.defaults().withNewConnectionRate(0, 1)),
                StoreConfig.embedded(dir.resolve("store")), WriterConfig.defaults(), Duration.ZERO, false,
                Duration.ofSeconds(10), AuthConfig.open(), HttpConfig.disabled(), TlsConfig.DISABLED,
                IngestConfig.defaults());
    }
}
