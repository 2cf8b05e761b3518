package io.pigateway.client;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.DeviceSecret;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SendConfig;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.config.SensorType;
import io.pigateway.client.config.Simulation;
import io.pigateway.client.config.SpoolConfig;
import io.pigateway.client.link.GatewayLink;
import io.pigateway.client.spool.MemorySpool;
import io.pigateway.common.SecretFile;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.SensorInfo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real sensor client against the real gateway and MariaDB: every sampled reading stored once. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientToGatewayIT {
    static final Duration WAIT = Duration.ofSeconds(20);

    static SensorClientConfig client(String device, List<GatewayAddress> gateways, Path spoolDir) {
        Duration fast = Duration.ofMillis(5);
        return new SensorClientConfig(device,
                new GatewayLinkConfig(gateways, Duration.ofSeconds(2), Duration.ofSeconds(30)),
                new ReconnectConfig(Duration.ofMillis(20), Duration.ofMillis(300)),
                new SendConfig(100, Duration.ofMillis(20)),
                new SpoolConfig(spoolDir, 64L << 20, 1L << 20, SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(20), 100),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                List.of(new SensorConfig("temperature", SensorType.TEMPERATURE, fast, "°C",
                                new Simulation.Wave(21, 2, Duration.ofMinutes(10), 0.1)),
                        new SensorConfig("humidity", SensorType.HUMIDITY, fast, "%",
                                new Simulation.Wave(45, 10, Duration.ofMinutes(30), 0.5)),
                        new SensorConfig("door", SensorType.TOGGLE, fast, "", new Simulation.Toggle(0.1))), null);
    }

    static io.pigateway.gateway.config.GatewayConfig gateway(Path dir, StoreConfig store, int port) {
        return io.pigateway.gateway.testing.TestGatewayConfig.forTests(dir)
                .withListen(new ListenConfig(InetAddress.getLoopbackAddress(), port, 128)).withStore(store);
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static long rows(StoreConfig store, String device) throws Exception {
        return TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ?", device);
    }

    @Test
    void everySampledReadingIsStoredExactlyOnceAcrossGatewayRestarts(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        Gateway first = Gateway.start(gateway(dir, store, 0));
        int port = first.address().getPort();
        // The first address is dead: the client must move on to the second, every time.
        List<GatewayAddress> addresses = List.of(new GatewayAddress("127.0.0.1", closedPort()),
                new GatewayAddress("127.0.0.1", port));
        SensorClient client = SensorClient.start(client("field-pi", addresses, dir.resolve("spool")));
        Gateway current = first;
        try {
            for (int restart = 1; restart <= 3; restart++) {
                until("300 readings acknowledged before restart " + restart, WAIT, () -> client.stats().acknowledged() > 300);
                current.close();
                long held = client.stats().pending();
                until("the client keeps sampling into its spool while the gateway is down", WAIT,
                        () -> client.stats().pending() > held + 50);
                current = Gateway.start(gateway(dir, store, port));
                long before = client.stats().acknowledged();
                until("300 more readings acknowledged after restart " + restart, WAIT, () -> client.stats().acknowledged() > before + 300);
            }
        } finally {
            ClientStats end = client.shutdown();
            current.close();
            System.out.println("client after 3 gateway restarts: " + end);
            assertEquals(0, end.pending(), "everything sampled was acknowledged before shutdown");
            assertEquals(0, end.dropped());
            assertEquals(end.sampled(), end.acknowledged());
            assertEquals(end.sampled(), rows(store, "field-pi"), "one row per sampled reading");
            assertEquals(1, TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM sensors WHERE device_id = 'field-pi'"
                    + " AND sensor = 'temperature' AND unit = ? AND kind = 'simulated.temperature' AND simulated", "°C"),
                    "the client's HELLO announced its sensors and the gateway recorded them");
            assertEquals(0, TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings r WHERE r.device_id = 'field-pi'"
                    + " AND NOT EXISTS (SELECT 1 FROM sensors s WHERE s.device_id = r.device_id AND s.sensor = r.sensor)"),
                    "every reading's sensor, and so its unit, is known");
            assertEquals(end.sampled(), TestStores.shared().queryLong(store,
                    "SELECT COUNT(*) FROM (SELECT DISTINCT device_id, stream_id, seq FROM readings) k"));
            assertTrue(TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = 'field-pi'"
                    + " AND sensor = 'client.spool-depth'") >= 2, "the client reported its spool depth every second");
            assertEquals(0, TestStores.shared().queryLong(store, "SELECT COALESCE(MAX(value), 0) FROM readings"
                    + " WHERE device_id = 'field-pi' AND sensor = 'client.sensor-failures'"), "simulated sensors never fail");
        }
    }

    @Test
    void aClientCatchingUpABacklogAboveTheRateLimitIsSlowedWithoutTimingOut(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        // 200 readings/s in frames of at most 500: each frame after the first waits 2.5 s for the bucket,
        // longer than the client's silence limit (twice its 1 s ping interval).
        LimitsConfig d = LimitsConfig.defaults();
        LimitsConfig slow = new LimitsConfig(d.maxConnections(), d.maxPayloadBytes(), 500, d.handshakeTimeout(),
                d.idleTimeout(), d.queueWait(), d.maxConnectionsPerAddress(), 200);
        MemorySpool spool = new MemorySpool(10_000);
        for (int i = 0; i < 1500; i++) {
            spool.append("temperature", 1_700_000_000_000L + i, 20 + i / 100.0);
        }
        try (Gateway gateway = Gateway.start(gateway(dir, store, 0).withLimits(slow))) {
            GatewayLink link = new GatewayLink("backlog-pi", null,
                    new GatewayLinkConfig(List.of(new GatewayAddress("127.0.0.1", gateway.address().getPort())),
                            Duration.ofSeconds(2), Duration.ofSeconds(1)),
                    new ReconnectConfig(Duration.ofMillis(20), Duration.ofMillis(300)), new SendConfig(500, Duration.ofMillis(10)),
                    spool, List.of(new SensorInfo("temperature", "°C", "simulated.temperature", true)),
                    DeviceClock.system());
            long started = System.nanoTime();
            link.start();
            try {
                until("every reading acknowledged", WAIT, () -> spool.size() == 0);
            } finally {
                link.close();
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(1, link.stats().handshakes(), "one connection throughout: the client never gave up on the gateway");
            assertTrue(millis >= 4000, "1000 readings beyond the burst at 200/s took " + millis + " ms");
            assertEquals(1500, rows(store, "backlog-pi"));
        }
    }

    @Test
    void aGatewayThatRefusesTheClientIsReportedWithItsReason(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        LimitsConfig one = LimitsConfig.defaults().withMaxConnections(1);
        try (Gateway g = Gateway.start(gateway(dir, store, 0).withLimits(one))) {
            List<GatewayAddress> address = List.of(new GatewayAddress("127.0.0.1", g.address().getPort()));
            try (SensorClient a = SensorClient.start(client("pi-a", address, dir.resolve("spool")))) {
                until("pi-a acknowledged", WAIT, () -> a.stats().acknowledged() > 10);
                try (SensorClient b = SensorClient.start(client("pi-b", address, dir.resolve("spool")))) {
                    until("pi-b refused", WAIT, () -> b.stats().lastProblem() != null);
                    String problem = b.stats().lastProblem();
                    assertTrue(problem.contains("TOO_MANY_CONNECTIONS") && problem.contains("maximum of 1 connections"),
                            problem);
                    assertEquals(0, b.stats().acknowledged());
                }
            }
        }
    }

    @Test
    void aClientProvesItsSecretAndOneWithAWrongSecretIsRefusedAndSaysWhy(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        Path devices = Files.writeString(dir.resolve("devices"), "pi-right right-secret-0123456789\npi-wrong right-secret-0123456789\n");
        Path right = Files.writeString(dir.resolve("right"), "right-secret-0123456789\n");
        Path wrong = Files.writeString(dir.resolve("wrong"), "wrong-secret-0123456789\n");
        for (Path p : List.of(devices, right, wrong)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        }
        AuthConfig auth = AuthConfig.secrets(devices, DeviceSecrets.load(SecretFile.at(devices)));
        try (Gateway g = Gateway.start(gateway(dir, store, 0).withAuth(auth))) {
            List<GatewayAddress> address = List.of(new GatewayAddress("127.0.0.1", g.address().getPort()));
            SensorClientConfig good = client("pi-right", address, dir.resolve("spool"));
            SensorClientConfig bad = client("pi-wrong", address, dir.resolve("spool"));
            try (SensorClient a = SensorClient.start(withSecret(good, right));
                 SensorClient b = SensorClient.start(withSecret(bad, wrong))) {
                until("pi-right acknowledged", WAIT, () -> a.stats().acknowledged() > 10);
                until("pi-wrong refused", WAIT, () -> b.stats().lastProblem() != null);
                String problem = b.stats().lastProblem();
                assertTrue(problem.contains("AUTHENTICATION_FAILED") && problem.contains("not retryable"), problem);
                assertEquals(0, b.stats().acknowledged());
            }
        }
    }

    static SensorClientConfig withSecret(SensorClientConfig c, Path secretFile) throws Exception {
        return new SensorClientConfig(c.deviceId(), c.gateway(), c.reconnect(), c.send(), c.spool(), c.shutdownAckWait(),
                c.reportInterval(), c.sensors(), DeviceSecret.load(secretFile));
    }
}
