package io.pigateway.client;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.client.config.GatewayAddress;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.UnixSocketConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real sensor client on the same host as the gateway, connected through the gateway's Unix
 * domain socket ({@code gateway.addresses = unix:/path}): every sampled reading stored once across
 * gateway restarts, which remove and create the socket file again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientOverUnixSocketIT {
    static final Duration WAIT = Duration.ofSeconds(20);

    static io.pigateway.gateway.config.GatewayConfig gateway(Path dir, StoreConfig store, Path socket) {
        io.pigateway.gateway.config.GatewayConfig c = io.pigateway.gateway.testing.TestGatewayConfig.forTests(dir).withStore(store);
        return c.withListen(c.listen().withUnixSocket(new UnixSocketConfig(socket, UnixSocketConfig.parseMode("0600"))));
    }

    @Test
    void everySampledReadingIsStoredExactlyOnceOverTheUnixSocketAcrossGatewayRestarts(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        Path socket = dir.resolve("gateway.sock");
        Gateway current = Gateway.start(gateway(dir, store, socket));
        SensorClient client = SensorClient.start(ClientToGatewayIT.client("local-pi", List.of(GatewayAddress.unix(socket)),
                dir.resolve("spool")));
        try {
            for (int restart = 1; restart <= 2; restart++) {
                until("300 readings acknowledged before restart " + restart, WAIT, () -> client.stats().acknowledged() > 300);
                current.close();
                long held = client.stats().pending();
                until("the client keeps sampling while the gateway is down", WAIT, () -> client.stats().pending() > held + 50);
                current = Gateway.start(gateway(dir, store, socket));
                long before = client.stats().acknowledged();
                until("300 more readings acknowledged after restart " + restart, WAIT,
                        () -> client.stats().acknowledged() > before + 300);
            }
        } finally {
            ClientStats end = client.shutdown();
            current.close();
            System.out.println("client over the Unix socket after 2 gateway restarts: " + end);
            assertEquals(0, end.pending(), "everything sampled was acknowledged before shutdown");
            assertEquals(end.sampled(), end.acknowledged());
            assertEquals(end.sampled(), ClientToGatewayIT.rows(store, "local-pi"), "one row per sampled reading");
            assertEquals(end.sampled(), TestStores.shared().queryLong(store,
                    "SELECT COUNT(*) FROM (SELECT DISTINCT device_id, stream_id, seq FROM readings) k"));
            assertEquals(3, TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM connections WHERE device_id = 'local-pi'"
                    + " AND peer_address = ?", "unix:" + socket), "three sessions, each over the Unix socket");
        }
    }
}
