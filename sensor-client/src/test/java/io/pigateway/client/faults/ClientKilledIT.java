package io.pigateway.client.faults;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.spool.RecoveryReport;
import io.pigateway.client.spool.Spool;
import io.pigateway.common.Settings;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sensor client process killed with SIGKILL mid-batch and restarted on the same spool, again and
 * again: the restarted client continues the same stream (after a jump of its seqs), and in the end the
 * table holds every seq the spool ever assigned, once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientKilledIT {
    static final Path CLIENT_JAR = Path.of("target/pi-sensor-client.jar");
    static final int KILLS = 5;

    @Test
    void everyReadingIsStoredExactlyOnceAcrossRepeatedKillNineOfTheClient(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        Random random = new Random(11);
        try (Gateway gateway = Gateway.start(TestGatewayConfig.forTests(dir).withStore(store))) {
            Map<String, String> settings = Faults.clientSettings("killed-client", "127.0.0.1:" + gateway.address().getPort());
            settings.put("spool.dir", dir.resolve("spool").toString());
            Path config = Files.writeString(dir.resolve("sensor-client.conf"), settings.entrySet().stream()
                    .map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining("\n", "", "\n")));

            for (int kill = 1; kill <= KILLS; kill++) {
                Process client = start(config, "client-" + kill);
                Thread.sleep(700 + random.nextInt(800)); // it connects, samples and streams; then, mid-batch:
                client.toHandle().destroyForcibly();
                assertTrue(client.waitFor(10, TimeUnit.SECONDS));
            }
            java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
            Process last = start(config, "client-last", line -> {
                if (line.contains("connected to gateway")) {
                    connected.countDown();
                }
            });
            // A SIGTERM before the client installed its shutdown hook would end it without a clean stop.
            assertTrue(connected.await(30, TimeUnit.SECONDS), "the last client connected");
            Thread.sleep(500); // it streams for a while
            last.toHandle().destroy(); // SIGTERM: stop sampling, wait for the last ACKs
            assertTrue(last.waitFor(60, TimeUnit.SECONDS));

            SensorClientConfig parsed = SensorClientConfig.from(Settings.of("test", settings));
            try (Spool spool = Spool.open(parsed.spool(), "killed-client")) {
                RecoveryReport after = spool.recovery();
                System.out.println("client killed with SIGKILL " + KILLS + " times; " + after);
                assertEquals(0, after.held(), "the clean stop left nothing unacknowledged");
                assertEquals(0, after.cutBytes(), "SIGKILL loses nothing written to the spool");
                TestStores db = TestStores.shared();
                long stream = spool.streamId();
                assertEquals(1, db.queryLong(store, "SELECT COUNT(DISTINCT stream_id) FROM readings WHERE device_id = 'killed-client'"),
                        "every restart continued the same stream");
                long rows = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = 'killed-client'"
                        + " AND stream_id = ?", stream);
                assertEquals(rows, db.queryLong(store, "SELECT COUNT(DISTINCT seq) FROM readings WHERE stream_id = ?", stream));
                // Each start skips at least 2^32 seqs (SeqJump); within a run seqs follow without a gap. So
                // every gap is a restart (at most one per start), and no reading in between went missing.
                long gaps = db.queryLong(store, "SELECT COUNT(*) FROM (SELECT seq - LAG(seq) OVER (ORDER BY seq) AS step"
                        + " FROM readings WHERE stream_id = ?) s WHERE step > 1", stream);
                long smallGaps = db.queryLong(store, "SELECT COUNT(*) FROM (SELECT seq - LAG(seq) OVER (ORDER BY seq) AS step"
                        + " FROM readings WHERE stream_id = ?) s WHERE step > 1 AND step < 4294967296", stream);
                assertEquals(0, smallGaps, "no reading missing within a run");
                assertTrue(gaps <= KILLS, "at most one jump per restart: " + gaps);
                assertEquals(1, db.queryLong(store, "SELECT MIN(seq) FROM readings WHERE stream_id = ?", stream));
                long assigned = rows;
                // ~300 readings/s for ~7 s when the machine is idle; far fewer on a loaded CI machine
                assertTrue(assigned > 100, "enough readings to mean something: " + assigned); // 266 seen at load 10
            }
        }
    }

    private static Process start(Path config, String label) throws Exception {
        return start(config, label, line -> { });
    }

    private static Process start(Path config, String label, java.util.function.Consumer<String> watcher) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-jar", CLIENT_JAR.toString(), "run",
                "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (var r = p.inputReader()) {
                r.lines().forEach(line -> {
                    System.out.println("[" + label + "] " + line);
                    watcher.accept(line);
                });
            } catch (Exception e) {
                // the process is gone
            }
        });
        return p;
    }
}
