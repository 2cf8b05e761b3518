package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices connecting over IPv4 and IPv6 leave their address in {@code devices.last_address} as a
 * dashboard shows it ({@code 127.0.0.1}, {@code ::1}), and {@code address:port} in the connection
 * history and the log, never Java's {@code /127.0.0.1:50026}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerAddressIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void devicesOverIpv4AndIpv6AreStoredWithTheirPlainAddress(@TempDir Path dir) throws Exception {
        ListenConfig dualStack = new ListenConfig(InetAddress.getByName("::"), 0, 128);
        try (CapturedLog log = CapturedLog.start();
             RunningGateway g = RunningGateway.start(dir, c -> c.withListen(dualStack))) {
            int port = g.address().getPort();
            int v4Port;
            int v6Port;
            try (TestDevice v4 = TestDevice.connect(new InetSocketAddress("127.0.0.1", port), "over-v4", 1);
                 TestDevice v6 = TestDevice.connect(new InetSocketAddress("::1", port), "over-v6", 1)) {
                v4Port = v4.localPort();
                v6Port = v6.localPort();
                v4.sendRange(1, 1, 1);
                v6.sendRange(1, 1, 1);
                v4.awaitAck(1, WAIT);
                v6.awaitAck(1, WAIT);
            }
            assertEquals("127.0.0.1", text(g, "SELECT last_address FROM devices WHERE device_id = 'over-v4'"));
            assertEquals("::1", text(g, "SELECT last_address FROM devices WHERE device_id = 'over-v6'"));
            assertEquals("127.0.0.1:" + v4Port,
                    text(g, "SELECT peer_address FROM connections WHERE device_id = 'over-v4'"));
            assertEquals("[::1]:" + v6Port, text(g, "SELECT peer_address FROM connections WHERE device_id = 'over-v6'"));
            log.await(WAIT, "device over-v6 ([::1]:" + v6Port + ")");
        }
    }

    private static String text(RunningGateway g, String sql) throws Exception {
        try (Connection c = TestStores.connect(g.store); PreparedStatement s = c.prepareStatement(sql);
             ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }
}
