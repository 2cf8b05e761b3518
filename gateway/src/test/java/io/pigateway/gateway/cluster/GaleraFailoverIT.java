package io.pigateway.gateway.cluster;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.testing.GaleraCluster;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways on a three-node MariaDB Galera cluster (one cluster for the class, each test leaves it as it
 * found it). The fault test: three gateways, 24 devices streaming, while nodes are killed (SIGKILL), the
 * node the gateways write through is stopped or cut off from the others by firewall rules (outside the
 * primary component: error 1047), and each comes back by IST (a killed one once its position is
 * recovered); last, a node loses its data directory and comes back by SST. At the end every acknowledged
 * reading is stored exactly once, and every node holds the same rows (count and checksum); the line
 * starting {@code GALERA-FAULTS} in the output has the counts.
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
     * restart it; cut the node written through off from the others (firewall rules), heal the cut.
     */
    private static final int ROUNDS = 5;
    /** Galera's log line after a full state transfer (SST) into the node, and after an incremental one (IST). */
    private static final String SST_RECEIVED = "SST received: ";
    private static final String IST_RECEIVED = "IST received: ";

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
        StoreConfig store = TestStores.mysql(cluster.createDatabase("desync", dir));
        GaleraCluster.Node first = cluster.node(1);
        GaleraCluster.Node second = cluster.node(2);
        try (Connection c = cluster.connect(first, ""); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL wsrep_desync = ON");
            try {
                long firstBefore = Long.parseLong(cluster.status(first, "wsrep_local_commits"));
                long secondBefore = Long.parseLong(cluster.status(second, "wsrep_local_commits"));
                try (Gateway g = Gateway.start(TestGatewayConfig.forTests(dir).withStore(store));
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
        StoreConfig viaFirst = TestStores.mysql(cluster.createDatabase("certify", dir));
        GaleraCluster.Node first = cluster.node(1);
        GaleraCluster.Node second = cluster.node(2);
        StoreConfig viaSecond = new StoreConfig(viaFirst.kind(), null, second.host() + ":" + second.port() + ","
                + first.host() + ":" + first.port(), viaFirst.port(), viaFirst.database(), viaFirst.user(), viaFirst.passwordFile(), "",
                viaFirst.migrate(), viaFirst.connectTimeout());
        long conflictsBefore = conflicts(first) + conflicts(second);
        Path a = java.nio.file.Files.createDirectories(dir.resolve("a"));
        Path b = java.nio.file.Files.createDirectories(dir.resolve("b"));
        try (Gateway ga = Gateway.start(TestGatewayConfig.forTests(a).withStore(viaFirst));
             Gateway gb = Gateway.start(TestGatewayConfig.forTests(b).withStore(viaSecond));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> acks = new ArrayList<>();
            for (int d = 0; d < 8; d++) {
                String device = "twin-" + d;
                for (Gateway g : List.of(ga, gb)) {
                    acks.add(pool.submit(() -> {
                        // The twins' handshakes conflict too (both gateways record the device's connection);
                        // after three conflicts in a row that is a NACK with a retry time, and a device
                        // tries again, as the sensor client does. Readings sent twice are skipped.
                        for (int attempt = 1; ; attempt++) {
                            try (TestDevice t = TestDevice.connect(g.address(), device, 3)) {
                                t.sendRange(1, 2000, 20);
                                return t.awaitAck(2000, ACK_WAIT);
                            } catch (java.io.IOException e) {
                                if (attempt == 5) {
                                    throw e;
                                }
                                Thread.sleep(1000);
                            }
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
            assertEquals(16_000, StreamingDevices.longOf(s, "SELECT COUNT(*) FROM readings"));
            assertEquals(16_000, StreamingDevices.longOf(s, "SELECT COUNT(DISTINCT device_id, seq) FROM readings"));
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
        StoreConfig store = TestStores.mysql(cluster.createDatabase("limits", dir));
        try (Connection c = cluster.connect(cluster.node(1), ""); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL wsrep_max_ws_rows = 1000");
            try {
                StoreException e = assertThrows(StoreException.class,
                        () -> Store.open(store, new WriterConfig(1, 501, Duration.ofMillis(20), 1000, Duration.ofSeconds(1))));
                assertTrue(e.getMessage().contains("writer.transaction-max-readings = 501")
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
            StoreConfig store = TestStores.mysql(cluster.createDatabase("pi", dir));
            // Started together: the migrations are applied by exactly one of them (GET_LOCK on the first node).
            List<Future<Gateway>> starting = new ArrayList<>();
            for (int g = 0; g < GATEWAYS; g++) {
                Path own = dir.resolve("gateway-" + g);
                java.nio.file.Files.createDirectories(own);
                starting.add(pool.submit(() -> Gateway.start(TestGatewayConfig.forTests(own).withStore(store))));
            }
            List<Gateway> gateways = new ArrayList<>();
            for (Future<Gateway> f : starting) {
                gateways.add(f.get());
            }
            try {
                try (Connection c = cluster.connect(cluster.node(1), "pi"); Statement s = c.createStatement()) {
                    assertEquals(3, StreamingDevices.longOf(s, "SELECT COUNT(*) FROM schema_version"), "every migration applied, once");
                }
                run(cluster, gateways, pool);
            } finally {
                gateways.forEach(Gateway::close);
            }
        }
        System.out.printf("galera: fault test %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private void run(GaleraCluster cluster, List<Gateway> gateways, ExecutorService pool) throws Exception {
        try (StreamingDevices devices = StreamingDevices.start(pool, gateways.stream().map(Gateway::address).toList(), "galera",
                DEVICES, PER_FRAME, FRAME_PAUSE)) {
            devices.awaitProgress(1000);
            int killed = 0;
            int stopped = 0;
            int partitioned = 0;
            int writer = 1;
            for (int round = 0; round < ROUNDS; round++) {
                GaleraCluster.Node other = cluster.node(writer % 3 + 1);
                long t = System.nanoTime();
                cluster.kill(other);
                killed++;
                devices.awaitProgress(500);
                cluster.restart(other);
                System.out.printf("galera: killed %s (not written through), back (recovered, IST) in %.1f s%n", other,
                        (System.nanoTime() - t) / 1e9);
                GaleraCluster.Node current = cluster.node(writer);
                t = System.nanoTime();
                cluster.stop(current);
                stopped++;
                writer = writer % 3 + 1;
                devices.awaitProgress(500);
                cluster.restart(current);
                System.out.printf("galera: stopped %s (written through), back by IST in %.1f s%n", current,
                        (System.nanoTime() - t) / 1e9);
                devices.awaitProgress(500);
                current = cluster.node(writer);
                t = System.nanoTime();
                cluster.partition(current);
                partitioned++;
                writer = writer % 3 + 1;
                assertEquals(1047, errorCode(current), current + " cut off: outside the primary component");
                devices.awaitProgress(500); // the gateways left it for the next node
                cluster.heal(current);
                System.out.printf("galera: cut %s (written through) off, back by IST in %.1f s%n", current,
                        (System.nanoTime() - t) / 1e9);
                devices.awaitProgress(500);
            }
            // A node loses its disk: it rejoins with a full copy (SST, rsync) from a donor while the gateways write.
            GaleraCluster.Node lost = cluster.node(writer % 3 + 1);
            long t = System.nanoTime();
            long fullTransfersBefore = cluster.logLines(lost, SST_RECEIVED);
            cluster.stop(lost);
            cluster.wipe(lost);
            devices.awaitProgress(500);
            cluster.restart(lost);
            long fullTransfers = cluster.logLines(lost, SST_RECEIVED) - fullTransfersBefore;
            assertEquals(1, fullTransfers, lost + " without its data rejoins by one SST");
            System.out.printf("galera: %s lost its data directory, back by SST in %.1f s%n", lost, (System.nanoTime() - t) / 1e9);
            devices.awaitProgress(500);
            devices.finish();
            StreamingDevices.Check check = devices.check(cluster, "pi");
            long incrementalTransfers = 0;
            for (GaleraCluster.Node node : cluster.nodes()) {
                incrementalTransfers += cluster.logLines(node, IST_RECEIVED);
            }
            System.out.printf("GALERA-FAULTS gateways=%d devices=%d acknowledged=%d kills=%d stops=%d partitions=%d ssts=%d"
                            + " ists=%d reconnects=%d lost=%d duplicated=%d nodes-agree=%b nodes=%s%n", GATEWAYS, DEVICES,
                    check.acknowledged(), killed, stopped, partitioned, fullTransfers, incrementalTransfers,
                    devices.reconnects(), check.lost(), check.duplicated(), check.nodesAgree(), check.nodes());
            assertEquals(0, check.lost(), "acknowledged readings missing on some node");
            assertEquals(0, devices.reconnects(), () -> "a device had to reconnect: a failover was not invisible to the devices: "
                    + devices.reconnectCauses());
            assertEquals(0, check.duplicated(), "readings stored twice");
            assertTrue(check.nodesAgree(), "nodes disagree: " + check.nodes());
            assertTrue(check.acknowledged() > 0);
        }
    }

    /** The error code of a query on {@code node}'s copy of the readings, 0 if it answers. */
    private static int errorCode(GaleraCluster.Node node) {
        try (Connection c = cluster.connect(node, "pi"); Statement s = c.createStatement()) {
            StreamingDevices.longOf(s, "SELECT COUNT(*) FROM readings");
            return 0;
        } catch (SQLException e) {
            return e.getErrorCode();
        }
    }
}
