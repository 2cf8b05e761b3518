package io.pigateway.gateway.net;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.testing.TestDevice;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen.address = 127.0.0.1, ::1}: the binary protocol on IPv4 and IPv6 loopback side by side,
 * on one port, served alike; nothing on the addresses not listed; both closed at shutdown.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenAddressesIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void clientsOnIpv4AndIpv6LoopbackAreServedSideBySide(@TempDir Path dir) throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        int port;
        try (RunningGateway g = RunningGateway.start(dir, c -> c.withListen(c.listen().withMoreAddresses(List.of(v6))))) {
            port = g.address().getPort();
            assertEquals(v4, g.address().getAddress());
            try (TestDevice four = TestDevice.connect(new InetSocketAddress(v4, port), "over-v4", 1);
                 TestDevice six = TestDevice.connect(new InetSocketAddress(v6, port), "over-v6", 1)) {
                four.sendRange(1, 200, 50);
                six.sendRange(1, 200, 50);
                assertEquals(200, four.awaitAck(200, WAIT));
                assertEquals(200, six.awaitAck(200, WAIT));
            }
            assertEquals(200, g.rows("over-v4"));
            assertEquals(200, g.rows("over-v6"));
            // 127.0.0.2 is loopback too, but not listed: nothing listens there.
            assertThrows(ConnectException.class, () -> TestDevice.open(new InetSocketAddress("127.0.0.2", port)).close());
        }
        for (InetAddress a : List.of(v4, v6)) {
            assertThrows(IOException.class, () -> TestDevice.open(new InetSocketAddress(a, port)).close(),
                    "closed on " + a + " at shutdown");
        }
    }

    @Test
    void aSecondAddressWhosePortIsTakenFailsStartUpNamingIt(@TempDir Path dir) throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            int port = squatter.getLocalPort();
            GatewayConfig config = TestGatewayConfig.forTests(dir);
            GatewayConfig both = config.withListen(new io.pigateway.gateway.config.ListenConfig(
                    InetAddress.getByName("127.0.0.1"), port, 16, List.of(InetAddress.getByName("::1")),
                    io.pigateway.gateway.config.UnixSocketConfig.NONE));
            IOException e = assertThrows(IOException.class, () -> Gateway.start(both).close());
            assertTrue(e.getMessage().startsWith("cannot listen on [::1]:" + port + ": "), e.getMessage());
            // The first address was released again: a gateway on it alone starts.
            try (Gateway alone = Gateway.start(config.withListen(new io.pigateway.gateway.config.ListenConfig(
                    InetAddress.getByName("127.0.0.1"), port, 16)))) {
                assertEquals(port, alone.address().getPort());
            }
        }
    }
}
