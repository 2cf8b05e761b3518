package io.pigateway.gateway.net;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown, replacement, connection limits and timeouts, over real sockets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LifecycleIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void shutdownAcknowledgesEverythingReceivedThenSaysShuttingDown(@TempDir Path dir) throws Exception {
        RunningGateway g = RunningGateway.start(dir);
        try (TestDevice d = TestDevice.connect(g.address(), "stopper", 3)) {
            d.sendRange(1, 2000, 100);
            // Close while the frames may still be in flight or queued.
            Thread closer = Thread.ofVirtual().start(g::close);
            Message.Nack n = d.awaitNack(WAIT);
            closer.join();
            assertEquals(NackCode.SHUTTING_DOWN, n.nackCode());
            assertEquals(g.rows("stopper"), d.lastAck(), "every row committed is acknowledged, none beyond");
            assertTrue(d.lastAck() > 0);
        }
    }

    @Test
    void aStoppedGatewayRefusesNewConnections(@TempDir Path dir) throws Exception {
        RunningGateway g = RunningGateway.start(dir);
        var address = g.address();
        g.close();
        assertThrows(IOException.class, () -> TestDevice.connect(address, "late", 1));
    }

    @Test
    void aSecondConnectionForTheSameDeviceReplacesTheFirst(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir);
             TestDevice first = TestDevice.connect(g.address(), "twin", 3)) {
            first.sendRange(1, 10, 10);
            first.awaitAck(10, WAIT);
            try (TestDevice second = TestDevice.connect(g.address(), "twin", 3)) {
                Message.Nack n = first.awaitNack(WAIT);
                assertEquals(NackCode.REPLACED, n.nackCode());
                assertTrue(first.closedByGateway(WAIT));
                second.sendRange(11, 20, 10);
                assertEquals(20, second.awaitAck(20, WAIT));
            }
            assertEquals(20, g.rows("twin"));
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedAndAClosedOneFreesItsPlace(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir, c -> c.withLimits(limits(2, Duration.ofSeconds(10))))) {
            TestDevice a = TestDevice.connect(g.address(), "a", 1);
            try (TestDevice b = TestDevice.connect(g.address(), "b", 1);
                 TestDevice c = TestDevice.open(g.address())) {
                // Connections in their handshake have their own budget: the limit applies once c proves a device.
                c.send(c.hello("c", 1, null));
                Message.Nack n = c.awaitNack(WAIT);
                assertEquals(NackCode.TOO_MANY_CONNECTIONS, n.nackCode());
                assertTrue(n.reason().contains("maximum of 2 connections"), n.reason());
                a.close();
                // The permit comes back once a's thread has finished; retry briefly.
                TestDevice d = null;
                for (int i = 0; i < 100 && d == null; i++) {
                    try {
                        d = TestDevice.connect(g.address(), "d", 1);
                    } catch (IOException refused) {
                        Thread.sleep(50);
                    }
                }
                try (TestDevice ok = d) {
                    ok.sendRange(1, 5, 5);
                    assertEquals(5, ok.awaitAck(5, WAIT));
                }
                b.sendRange(1, 5, 5);
                assertEquals(5, b.awaitAck(5, WAIT));
            }
        }
    }

    @Test
    void aClientThatNeverSendsHelloIsCutAtTheHandshakeTimeout(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir, c -> c.withLimits(limits(10, Duration.ofMillis(300))));
             TestDevice silent = TestDevice.open(g.address())) {
            Message.Nack n = silent.awaitNack(WAIT);
            assertEquals(NackCode.TIMEOUT, n.nackCode());
            assertTrue(n.reason().contains("handshake timeout of 300 ms"), n.reason());
        }
    }

    @Test
    void byeIsAnsweredAfterTheLastAck(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.start(dir);
             TestDevice d = TestDevice.connect(g.address(), "polite", 3)) {
            d.sendRange(1, 300, 100);
            d.send(new Message.Bye());
            assertEquals(300, d.awaitAck(300, WAIT));
            assertEquals(new Message.Bye(), d.next());
            assertEquals(300, g.rows("polite"));
        }
    }

    @Test
    void theEmbeddedStoreKeepsReadingsAcrossRestarts(@TempDir Path dir) throws Exception {
        GatewayConfig config = TestGatewayConfig.forTests(dir);
        try (Gateway g = Gateway.start(config); TestDevice d = TestDevice.connect(g.address(), "h2", 3)) {
            d.sendRange(1, 500, 100);
            d.awaitAck(500, WAIT);
        }
        try (Gateway g = Gateway.start(config); TestDevice d = TestDevice.connect(g.address(), "h2", 3)) {
            d.sendRange(1, 600, 100); // resends 1..500: duplicates ignored
            d.awaitAck(600, WAIT);
        }
        String url = "jdbc:h2:file:" + config.store().embeddedPath().toAbsolutePath() + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE";
        try (var c = DriverManager.getConnection(url, "", ""); ResultSet rs = c.createStatement()
                .executeQuery("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM readings WHERE device_id = 'h2'")) {
            rs.next();
            assertEquals(600, rs.getLong(1));
            assertEquals(600, rs.getLong(2));
            assertEquals(1, rs.getLong(3));
            assertEquals(600, rs.getLong(4));
        }
    }

    @Test
    void theGatewayServesClientsOverIpv6(@TempDir Path dir) throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        try (RunningGateway g = RunningGateway.start(dir, c -> c.withListen(
                new io.pigateway.gateway.config.ListenConfig(v6, 0, 16)));
             TestDevice d = TestDevice.connect(g.address(), "v6", 3)) {
            assertEquals(v6, g.address().getAddress());
            d.sendRange(1, 10, 10);
            assertEquals(10, d.awaitAck(10, WAIT));
        }
    }

    static LimitsConfig limits(int maxConnections, Duration handshakeTimeout) {
        LimitsConfig d = LimitsConfig.defaults().withMaxReadingsPerSecond(0).withMaxConnections(maxConnections);
        return d.withTimeouts(handshakeTimeout, d.idleTimeout());
    }
}
