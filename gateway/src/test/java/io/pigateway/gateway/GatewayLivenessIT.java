package io.pigateway.gateway;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.testing.TestDevice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the systemd watchdog asks the gateway: an accept loop waiting for clients is not stuck. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayLivenessIT {
    private static final Duration TINY = Duration.ofMillis(1);

    @Test
    void waitingForClientsAndServingThemIsNotStuckEvenWithATinyInterval(@TempDir Path dir) throws Exception {
        Gateway gateway = Gateway.start(TestGatewayConfig.forTests(dir));
        try {
            Thread.sleep(50);
            assertEquals(Optional.empty(), gateway.stuck(TINY), "blocked in accept() for 50 ms");
            try (TestDevice d = TestDevice.connect(gateway.address(), "live-1", 1)) {
                d.sendRange(1, 500, 50);
                d.awaitAck(500, Duration.ofSeconds(20));
                Thread.sleep(50);
                assertEquals(Optional.empty(), gateway.stuck(TINY), "idle connection, idle writers");
            }
            assertTrue(gateway.status().startsWith("listening on 127.0.0.1:" + gateway.address().getPort()
                    + ", storing in embedded H2 store at "), gateway.status());
        } finally {
            gateway.close();
        }
        assertEquals(Optional.empty(), gateway.stuck(TINY), "a closed gateway is not stuck: the watchdog is off by then");
    }
}
