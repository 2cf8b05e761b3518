package io.pigateway.gateway.cluster;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.GaleraCluster;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-node site: two data nodes and the arbitrator {@code garbd}. Without it, the survivor of a
 * node's crash holds half the votes, not a majority, and leaves the primary component (error 1047 to
 * every write); with it, the survivor and the arbitrator are two of three and carry on. Each data node
 * in turn is killed (SIGKILL) while it is the one the gateways write through; the gateways move to the
 * other, and the killed node comes back by IST. The line starting {@code GALERA-ARBITRATOR} in the
 * output has the counts.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GaleraArbitratorIT {
    private static final int GATEWAYS = 2;
    private static final int DEVICES = 20;
    private static final int PER_FRAME = 20;
    private static final Duration FRAME_PAUSE = Duration.ofMillis(200);

    @Test
    void twoNodesAndTheArbitratorKeepWritingExactlyOnceWhenEitherNodeDies(@TempDir Path dir) throws Exception {
        long started = System.nanoTime();
        try (GaleraCluster cluster = GaleraCluster.start(GaleraCluster.directory(), 2, true);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            System.out.printf("galera: 2 nodes and garbd synced in %.1f s%n", (System.nanoTime() - started) / 1e9);
            StoreConfig store = TestStores.mysql(cluster.createDatabase("pi", dir));
            List<Gateway> gateways = new ArrayList<>();
            try {
                for (int g = 0; g < GATEWAYS; g++) {
                    gateways.add(Gateway.start(TestGatewayConfig.forTests(Files.createDirectories(dir.resolve("gateway-" + g)))
                            .withStore(store)));
                }
                try (StreamingDevices devices = StreamingDevices.start(pool, gateways.stream().map(Gateway::address).toList(),
                        "pair", DEVICES, PER_FRAME, FRAME_PAUSE)) {
                    devices.awaitProgress(500);
                    int kills = 0;
                    for (GaleraCluster.Node victim : cluster.nodes()) { // node 1 is written through first, then node 2
                        GaleraCluster.Node survivor = cluster.nodes().stream().filter(n -> n != victim).findFirst().orElseThrow();
                        long t = System.nanoTime();
                        cluster.kill(victim);
                        kills++;
                        devices.awaitProgress(500); // through the survivor: it kept the primary component
                        assertEquals("Primary", cluster.status(survivor, "wsrep_cluster_status"), survivor + " after " + victim
                                + " died");
                        assertEquals("2", cluster.status(survivor, "wsrep_cluster_size"), "the survivor and garbd");
                        cluster.restart(victim);
                        System.out.printf("galera: killed %s (written through), %s and garbd stayed primary, back by IST in"
                                + " %.1f s%n", victim, survivor, (System.nanoTime() - t) / 1e9);
                        devices.awaitProgress(500);
                    }
                    devices.finish();
                    StreamingDevices.Check check = devices.check(cluster, "pi");
                    System.out.printf("GALERA-ARBITRATOR data-nodes=2 arbitrator=garbd gateways=%d devices=%d acknowledged=%d"
                                    + " kills=%d reconnects=%d lost=%d duplicated=%d nodes-agree=%b nodes=%s (%.1f s)%n", GATEWAYS,
                            DEVICES, check.acknowledged(), kills, devices.reconnects(), check.lost(), check.duplicated(),
                            check.nodesAgree(), check.nodes(), (System.nanoTime() - started) / 1e9);
                    assertEquals(0, check.lost(), "acknowledged readings missing on some node");
                    assertEquals(0, check.duplicated(), "readings stored twice");
                    assertEquals(0, devices.reconnects(), () -> "a device had to reconnect: " + devices.reconnectCauses());
                    assertTrue(check.nodesAgree(), "nodes disagree: " + check.nodes());
                }
            } finally {
                gateways.forEach(Gateway::close);
            }
        }
    }
}
