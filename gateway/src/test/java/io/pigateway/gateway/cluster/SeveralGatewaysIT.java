package io.pigateway.gateway.cluster;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several gateways on one database server. A gateway replaces a device's older connection only if it
 * holds both (REPLACED); a device that moves to another gateway leaves its old connection open on the
 * first, which is not told. Both connections may then commit, even the same readings at the same time:
 * the key (device_id, stream_id, seq) keeps each reading once, and each gateway ACKs what is stored.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SeveralGatewaysIT {
    private static final TestStores DB = TestStores.shared();
    private static final Duration ACK_WAIT = Duration.ofSeconds(30);

    @Test
    void aDeviceThatMovesToAnotherGatewayWhileItsOldConnectionLivesIsStoredOnceAndTheViewsShowItOnce(@TempDir Path dir)
            throws Exception {
        StoreConfig store = DB.freshSchema(dir);
        try (Gateway a = start(dir, "a", store); Gateway b = start(dir, "b", store);
             TestDevice onA = TestDevice.connect(a.address(), "mover", 5)) {
            onA.sendRange(1, 500, 50);
            assertEquals(500, onA.awaitAck(500, ACK_WAIT));
            try (TestDevice onB = TestDevice.connect(b.address(), "mover", 5);
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // Resends from 251 (it missed ACKs); then both connections send 1001..3000 at once.
                onB.sendRange(251, 1000, 50);
                assertEquals(1000, onB.awaitAck(1000, ACK_WAIT));
                Future<Long> viaA = pool.submit(() -> {
                    onA.sendRange(1001, 3000, 50);
                    return onA.awaitAck(3000, ACK_WAIT);
                });
                Future<Long> viaB = pool.submit(() -> {
                    onB.sendRange(1001, 3000, 50);
                    return onB.awaitAck(3000, ACK_WAIT);
                });
                assertEquals(3000, viaA.get(), "the old connection on gateway a keeps committing");
                assertEquals(3000, viaB.get());
            }
        }
        assertEquals(3000, DB.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = 'mover'"));
        assertEquals(3000, DB.queryLong(store, "SELECT COUNT(DISTINCT seq) FROM readings WHERE device_id = 'mover'"));
        assertEquals(2, DB.queryLong(store, "SELECT COUNT(*) FROM connections WHERE device_id = 'mover'"), "one per gateway");
        assertEquals(1, DB.queryLong(store, "SELECT COUNT(*) FROM latest_readings WHERE device_id = 'mover'"));
        assertEquals(1, DB.queryLong(store, "SELECT COUNT(*) FROM device_last_seen WHERE device_id = 'mover'"));
        assertEquals(3000, DB.queryLong(store, "SELECT COUNT(*) FROM reading_values WHERE device_id = 'mover'"));
    }

    @Test
    void devicesSpreadOverThreeGatewaysAreEachStoredOnceAndListedOnceByTheViews(@TempDir Path dir) throws Exception {
        StoreConfig store = DB.freshSchema(dir);
        List<Gateway> gateways = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String name : List.of("a", "b", "c")) {
                gateways.add(start(dir, name, store));
            }
            List<Future<Long>> acks = new ArrayList<>();
            for (int d = 0; d < 12; d++) {
                Gateway g = gateways.get(d % 3);
                String device = "spread-" + d;
                acks.add(pool.submit(() -> {
                    try (TestDevice t = TestDevice.connect(g.address(), device, 1)) {
                        t.sendRange(1, 1000, 100);
                        return t.awaitAck(1000, ACK_WAIT);
                    }
                }));
            }
            for (Future<Long> f : acks) {
                assertEquals(1000, f.get());
            }
        } finally {
            gateways.forEach(Gateway::close);
        }
        assertEquals(12_000, DB.queryLong(store, "SELECT COUNT(*) FROM readings"));
        assertEquals(12, DB.queryLong(store, "SELECT COUNT(*) FROM latest_readings WHERE seq = 1000"));
        assertEquals(12, DB.queryLong(store, "SELECT COUNT(*) FROM device_last_seen WHERE last_reading_at IS NOT NULL"));
    }

    private static Gateway start(Path dir, String name, StoreConfig store) throws Exception {
        Path own = Files.createDirectories(dir.resolve(name));
        return Gateway.start(TestGatewayConfig.forTests(own).withStore(store));
    }
}
