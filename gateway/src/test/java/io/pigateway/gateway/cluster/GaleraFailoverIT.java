package io.pigateway.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.gateway.testing.GaleraCluster;
import io.pigateway.testing.TestDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways on a three-node MariaDB Galera cluster (one cluster for the class, each test leaves it as it
 * found it). The fault test: three gateways, 24 devices streaming, while nodes are killed (SIGKILL), the
 * node the gateways write through is stopped or cut off from the others (outside the primary
 * component: error 1047), and each comes back by IST (a killed one once its position is recovered). At
 * the end every acknowledged reading is stored exactly once, and every node holds the same rows (count
 * and checksum).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GaleraFailoverIT {
    private static GaleraCluster cluster;
    private static long clusterStarted;
    private static final int GATEWAYS = 3;
    private static final int DEVICES = 24;
    private static final int PER_FRAME = 20;
    /** Between frames of one device: 24 devices then offer up to ~2,400 readings/s, within 2 shared cores. */
    private static final Duration FRAME_PAUSE = Duration.ofMillis(200);
    private static final Duration ACK_WAIT = Duration.ofSeconds(30);
    /**
     * Rounds of: kill -9 a node that is not written through, restart it; stop the node written through,
     * restart it; cut the node written through off from the others, reconnect it.
     */
    private static final int ROUNDS = 5;

    @BeforeAll
    static void startCluster() throws Exception {
        clusterStarted = System.nanoTime();
        cluster = GaleraCluster.start(GaleraCluster.directory(), 3);
        System.out.printf("galera: 3 nodes synced in %.1f s%n", (System.nanoTime() - clusterStarted) / 1e9);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            System.out.printf("galera: all cluster tests %.1f s%n", (System.nanoTime() - clusterStarted) / 1e9);
        }
    }

    /** A desynced node (a donor, or wsrep_desync) accepts logins; the gateway leaves it for the next node. */
    @Test
    void aDesyncedNodeIsLeftForTheNextNode(@TempDir Path dir) throws Exception {
        StoreConfig store = cluster.createDatabase("desync", dir);
        GaleraCluster.Node first = cluster.node(1);
        GaleraCluster.Node second = cluster.node(2);
        try (Connection c = cluster.connect(first, ""); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL wsrep_desync = ON");
            try {
                long firstBefore = Long.parseLong(cluster.status(first, "wsrep_local_commits"));
                long secondBefore = Long.parseLong(cluster.status(second, "wsrep_local_commits"));
                try (Gateway g = Gateway.start(GatewayConfig.forTests(dir).withStore(store));
                     TestDevice d = TestDevice.connect(g.address(), "desync", 1)) {
                    d.sendRange(1, 100, 50);
                    assertEquals(100, d.awaitAck(100, ACK_WAIT));
                }
                assertEquals(firstBefore, Long.parseLong(cluster.status(first, "wsrep_local_commits")),
                        "nothing committed through the desynced node");
                assertTrue(Long.parseLong(cluster.status(second, "wsrep_local_commits")) > secondBefore,
                        "committed through the next node");
            } finally {
                s.execute("SET GLOBAL wsrep_desync = OFF");
            }
        }
        cluster.awaitSynced(first);
    }

    /**
     * Two gateways writing the same readings through different nodes at once (which the default of one
     * node at a time avoids): one node's COMMIT fails certification (1213) or its statement is aborted
     * by the other's write set; the writer retries the whole group, and every reading is acknowledged
     * by both gateways and stored once.
     */
    @Test
    void certificationFailuresBetweenNodesAreRetriedBeforeAnyAck(@TempDir Path dir) throws Exception {
        StoreConfig viaFirst = cluster.createDatabase("certify", dir);
        GaleraCluster.Node first = cluster.node(1);
        GaleraCluster.Node second = cluster.node(2);
        StoreConfig viaSecond = new StoreConfig(viaFirst.kind(), null, "127.0.0.1:" + second.port() + ",127.0.0.1:"
                + first.port(), viaFirst.port(), viaFirst.database(), viaFirst.user(), viaFirst.passwordFile(), "",
                viaFirst.migrate(), viaFirst.connectTimeout());
        long conflictsBefore = conflicts(first) + conflicts(second);
        Path a = java.nio.file.Files.createDirectories(dir.resolve("a"));
        Path b = java.nio.file.Files.createDirectories(dir.resolve("b"));
        try (Gateway ga = Gateway.start(GatewayConfig.forTests(a).withStore(viaFirst));
             Gateway gb = Gateway.start(GatewayConfig.forTests(b).withStore(viaSecond));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> acks = new ArrayList<>();
            for (int d = 0; d < 8; d++) {
                String device = "twin-" + d;
                for (Gateway g : List.of(ga, gb)) {
                    acks.add(pool.submit(() -> {
                        try (TestDevice t = TestDevice.connect(g.address(), device, 3)) {
                            t.sendRange(1, 2000, 20);
                            return t.awaitAck(2000, ACK_WAIT);
                        }
                    }));
                }
            }
            for (Future<Long> f : acks) {
                assertEquals(2000, f.get());
            }
        }
        try (Connection c = cluster.connect(second, "certify"); Statement s = c.createStatement()) {
            s.execute("SET SESSION wsrep_sync_wait = 1");
            assertEquals(16_000, longOf(s, "SELECT COUNT(*) FROM readings"));
            assertEquals(16_000, longOf(s, "SELECT COUNT(DISTINCT device_id, seq) FROM readings"));
        }
        System.out.printf("galera: same readings through two nodes: %d certification failures and brute-force"
                + " aborts, all retried; 16,000 readings stored once%n", conflicts(first) + conflicts(second) - conflictsBefore);
    }

    private static long conflicts(GaleraCluster.Node node) throws SQLException {
        return Long.parseLong(cluster.status(node, "wsrep_local_cert_failures"))
                + Long.parseLong(cluster.status(node, "wsrep_local_bf_aborts"));
    }

    /** wsrep_max_ws_rows below what a group may write: the store refuses to start, naming both settings. */
    @Test
    void aGroupSizeAboveTheClusterWriteSetLimitStopsStartUp(@TempDir Path dir) throws Exception {
        StoreConfig store = cluster.createDatabase("limits", dir);
        try (Connection c = cluster.connect(cluster.node(1), ""); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL wsrep_max_ws_rows = 1000");
            try {
                StoreException e = assertThrows(StoreException.class,
                        () -> Store.open(store, new WriterConfig(1, 501, Duration.ofMillis(20), 1000, Duration.ofSeconds(1))));
                assertTrue(e.getMessage().contains("writer.batch-max-readings = 501")
                        && e.getMessage().contains("wsrep_max_ws_rows = 1000"), e.getMessage());
                Store.open(store, new WriterConfig(1, 500, Duration.ofMillis(20), 1000, Duration.ofSeconds(1))).close();
            } finally {
                s.execute("SET GLOBAL wsrep_max_ws_rows = 0");
            }
        }
    }

    @Test
    void everyAcknowledgedReadingIsStoredOnceOnEveryNodeThroughKilledStoppedAndPartitionedNodes(@TempDir Path dir)
            throws Exception {
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            StoreConfig store = cluster.createDatabase("pi", dir);
            // Started together: the migrations are applied by exactly one of them (GET_LOCK on the first node).
            List<Future<Gateway>> starting = new ArrayList<>();
            for (int g = 0; g < GATEWAYS; g++) {
                Path own = dir.resolve("gateway-" + g);
                java.nio.file.Files.createDirectories(own);
                starting.add(pool.submit(() -> Gateway.start(GatewayConfig.forTests(own).withStore(store))));
            }
            List<Gateway> gateways = new ArrayList<>();
            for (Future<Gateway> f : starting) {
                gateways.add(f.get());
            }
            try {
                try (Connection c = cluster.connect(cluster.node(1), "pi"); Statement s = c.createStatement()) {
                    assertEquals(3, longOf(s, "SELECT COUNT(*) FROM schema_version"), "every migration applied, once");
                }
                run(cluster, gateways, pool);
            } finally {
                gateways.forEach(Gateway::close);
            }
        }
        System.out.printf("galera: fault test %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private void run(GaleraCluster cluster, List<Gateway> gateways, ExecutorService pool) throws Exception {
        AtomicBoolean streaming = new AtomicBoolean(true);
        Map<String, AtomicLong> acked = new LinkedHashMap<>();
        AtomicLong reconnects = new AtomicLong();
        List<Future<?>> devices = new ArrayList<>();
        for (int d = 0; d < DEVICES; d++) {
            String id = "galera-" + d;
            AtomicLong last = new AtomicLong();
            acked.put(id, last);
            InetSocketAddress gateway = gateways.get(d % GATEWAYS).address();
            devices.add(pool.submit(() -> stream(gateway, id, last, streaming, reconnects)));
        }
        awaitProgress(acked, 1000);
        int killed = 0;
        int stopped = 0;
        int partitioned = 0;
        int[] writer = {1};
        for (int round = 0; round < ROUNDS; round++) {
            GaleraCluster.Node other = cluster.node(writer[0] % 3 + 1);
            long t = System.nanoTime();
            cluster.kill(other);
            killed++;
            awaitProgress(acked, 500);
            cluster.restart(other);
            System.out.printf("galera: killed %s (not written through), back (recovered, IST) in %.1f s%n", other,
                    (System.nanoTime() - t) / 1e9);
            GaleraCluster.Node current = cluster.node(writer[0]);
            t = System.nanoTime();
            cluster.stop(current);
            stopped++;
            writer[0] = writer[0] % 3 + 1;
            awaitProgress(acked, 500);
            cluster.restart(current);
            System.out.printf("galera: stopped %s (written through), back by IST in %.1f s%n", current,
                    (System.nanoTime() - t) / 1e9);
            awaitProgress(acked, 500);
            current = cluster.node(writer[0]);
            t = System.nanoTime();
            cluster.isolate(current, true);
            partitioned++;
            writer[0] = writer[0] % 3 + 1;
            awaitProgress(acked, 500);
            cluster.isolate(current, false);
            cluster.awaitSynced(current);
            System.out.printf("galera: cut %s (written through) off, back by IST in %.1f s%n", current,
                    (System.nanoTime() - t) / 1e9);
            awaitProgress(acked, 500);
        }
        streaming.set(false);
        for (Future<?> f : devices) {
            f.get(2, TimeUnit.MINUTES);
        }
        long ackedTotal = acked.values().stream().mapToLong(AtomicLong::get).sum();
        List<String> digests = new ArrayList<>();
        long lost = 0;
        long duplicated = 0;
        for (GaleraCluster.Node node : cluster.nodes()) {
            try (Connection c = cluster.connect(node, "pi"); Statement s = c.createStatement()) {
                s.execute("SET SESSION wsrep_sync_wait = 1"); // read after everything the cluster committed
                for (Map.Entry<String, AtomicLong> e : acked.entrySet()) {
                    long stored = longOf(s, "SELECT COUNT(*) FROM readings WHERE device_id = '" + e.getKey() + "' AND seq <= "
                            + e.getValue().get());
                    lost += e.getValue().get() - stored;
                }
                duplicated += longOf(s, "SELECT COUNT(*) - COUNT(DISTINCT device_id, stream_id, seq) FROM readings");
                digests.add(longOf(s, "SELECT COUNT(*) FROM readings") + " rows, checksum "
                        + longOf(s, "SELECT COALESCE(BIT_XOR(CRC32(CONCAT_WS(',', id, device_id, stream_id, seq, sensor, value,"
                        + " device_time, received_at))), 0) FROM readings"));
            }
        }
        System.out.printf("galera: %d gateways, %d devices, %d readings acknowledged, %d kill -9, %d stops and %d"
                        + " partitions of the node written through, %d device reconnects; lost %d, duplicated %d; nodes: %s%n",
                GATEWAYS, DEVICES, ackedTotal, killed, stopped, partitioned, reconnects.get(), lost, duplicated, digests);
        assertEquals(0, lost, "acknowledged readings missing on some node");
        assertEquals(0, reconnects.get(), "a device had to reconnect: a failover was not invisible to the devices");
        assertEquals(0, duplicated, "readings stored twice");
        assertTrue(digests.stream().distinct().count() == 1, "nodes disagree: " + digests);
        assertTrue(ackedTotal > 0);
    }

    /**
     * One device: frames of {@link #PER_FRAME} readings on one stream, each awaited; after a NACK, a closed
     * connection or a timeout it reconnects and sends again everything after its last ACK, as the
     * sensor client's spool does. Ends once {@code streaming} is off and its last frame is acknowledged.
     */
    private static Void stream(InetSocketAddress gateway, String id, AtomicLong acked, AtomicBoolean streaming,
                               AtomicLong reconnects) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        boolean last = false;
        while (!last && System.nanoTime() < deadline) {
            last = !streaming.get();
            try (TestDevice d = TestDevice.connect(gateway, id, 7)) {
                while (true) {
                    long from = acked.get() + 1;
                    d.send(TestDevice.readings(from, PER_FRAME, "temperature"));
                    acked.set(d.awaitAck(from + PER_FRAME - 1, ACK_WAIT));
                    if (last) {
                        break;
                    }
                    Thread.sleep(FRAME_PAUSE);
                    last = !streaming.get();
                }
            } catch (IOException e) {
                reconnects.incrementAndGet();
                last = false;
                Thread.sleep(200);
            }
        }
        if (!last) {
            throw new IllegalStateException(id + " could not finish within 4 minutes; last ACK " + acked.get());
        }
        return null;
    }

    /** Waits until the devices together have {@code readings} more acknowledged: the gateways are writing. */
    private static void awaitProgress(Map<String, AtomicLong> acked, long readings) throws InterruptedException {
        long from = acked.values().stream().mapToLong(AtomicLong::get).sum();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acked.values().stream().mapToLong(AtomicLong::get).sum() < from + readings) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no progress: " + (acked.values().stream().mapToLong(AtomicLong::get).sum() - from)
                        + " of " + readings + " readings acknowledged within 60 s");
            }
            Thread.sleep(50);
        }
    }

    private static long longOf(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
