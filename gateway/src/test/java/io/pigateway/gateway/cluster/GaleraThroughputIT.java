package io.pigateway.gateway.cluster;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.testing.GaleraCluster;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of one gateway into a 3-node Galera cluster and into one server with the same settings but
 * Galera off, measured in turn in the same session (both running all along, so that they share the
 * machine's load alike). Each measurement: a fresh database, one gateway with the default writer
 * settings, N devices each sending frames back to back (the next once the last is acknowledged) for a
 * fixed time after a warm-up; rows/s = readings acknowledged in that time / the time. It prints one
 * line starting {@code GALERA-THROUGHPUT} per measurement with the flush settings of the server.
 *
 * <p>Not part of {@code mvn verify} (it takes minutes and its figures depend on the machine's load):
 * <pre>
 * mvn -B -pl gateway -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=GaleraThroughputIT -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dpigw.galera.throughput=true test-compile failsafe:integration-test
 * </pre>
 * Settings (system properties): {@code pigw.throughput.devices} (20), {@code pigw.throughput.per-frame}
 * (500), {@code pigw.throughput.seconds} (20), {@code pigw.throughput.rounds} (2).
 */
@EnabledIfSystemProperty(named = "pigw.galera.throughput", matches = "true")
class GaleraThroughputIT {
    private static final int DEVICES = Integer.getInteger("pigw.throughput.devices", 20);
    private static final int PER_FRAME = Integer.getInteger("pigw.throughput.per-frame", 500);
    private static final Duration MEASURED = Duration.ofSeconds(Integer.getInteger("pigw.throughput.seconds", 20));
    private static final int ROUNDS = Integer.getInteger("pigw.throughput.rounds", 2);
    private static final Duration WARM_UP = Duration.ofSeconds(3);

    @Test
    void clusterAgainstOneServer(@TempDir Path dir) throws Exception {
        try (GaleraCluster single = GaleraCluster.startWithoutGalera(GaleraCluster.directory());
             GaleraCluster cluster = GaleraCluster.start(GaleraCluster.directory(), 3)) {
            for (int round = 1; round <= ROUNDS; round++) {
                measure("single-server", single, round, dir);
                measure("3-node-galera", cluster, round, dir);
            }
        }
    }

    private static void measure(String target, GaleraCluster servers, int round, Path dir) throws Exception {
        String database = "tp_" + target.replace('-', '_') + "_" + round;
        StoreConfig store = TestStores.mysql(servers.createDatabase(database, dir));
        WriterConfig writer = WriterConfig.defaults();
        double rate;
        long acknowledged;
        try (Gateway gateway = Gateway.start(TestGatewayConfig.forTests(Files.createDirectories(dir.resolve(database)))
                .withStore(store));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            try (StreamingDevices devices = StreamingDevices.start(pool, List.of(gateway.address()), "tp", DEVICES, PER_FRAME,
                    Duration.ZERO)) {
                Thread.sleep(WARM_UP);
                long from = devices.acknowledged();
                long t = System.nanoTime();
                Thread.sleep(MEASURED);
                long readings = devices.acknowledged() - from;
                rate = readings / ((System.nanoTime() - t) / 1e9);
                devices.finish();
                acknowledged = devices.acknowledged();
                StreamingDevices.Check check = devices.check(servers, database);
                assertEquals(0, check.lost());
                assertEquals(0, check.duplicated());
            }
        }
        System.out.printf("GALERA-THROUGHPUT target=%s round=%d devices=%d per-frame=%d seconds=%d rows/s=%.0f"
                        + " acknowledged=%d writer.threads=%d writer.transaction-max-readings=%d writer.transaction-max-wait=%s %s%n",
                target, round, DEVICES, PER_FRAME, MEASURED.toSeconds(), rate, acknowledged, writer.threads(),
                writer.batchMaxReadings(), writer.batchMaxWait(), flushSettings(servers));
    }

    /** The server's durability settings that decide what a COMMIT waits for. */
    private static String flushSettings(GaleraCluster servers) throws Exception {
        StringJoiner j = new StringJoiner(" ");
        try (Connection c = servers.connect(servers.node(1), ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit',"
                     + " 'sync_binlog', 'log_bin', 'wsrep_on')")) {
            while (rs.next()) {
                j.add(rs.getString(1) + "=" + rs.getString(2));
            }
        }
        return j.toString();
    }
}
