package io.pigateway.client.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.spool.RecoveryReport;
import io.pigateway.client.spool.Spool;
import io.pigateway.common.Settings;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestDatabase;
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
 * again: the restarted client continues the same stream, and in the end the table holds every seq
 * the spool ever assigned, once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientKilledIT {
    static final Path CLIENT_JAR = Path.of("target/pi-sensor-client.jar");
    static final int KILLS = 5;

    @Test
    void everyReadingIsStoredExactlyOnceAcrossRepeatedKillNineOfTheClient(@TempDir Path dir) throws Exception {
        StoreConfig store = TestDatabase.shared().freshSchema(dir);
        Random random = new Random(11);
        try (Gateway gateway = Gateway.start(GatewayConfig.forTests(dir).withStore(store))) {
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
            Process last = start(config, "client-last");
            Thread.sleep(1500);
            last.toHandle().destroy(); // SIGTERM: stop sampling, wait for the last ACKs
            assertTrue(last.waitFor(60, TimeUnit.SECONDS));

            SensorClientConfig parsed = SensorClientConfig.from(Settings.of("test", settings));
            try (Spool spool = Spool.open(parsed.spool(), "killed-client")) {
                RecoveryReport after = spool.recovery();
                long assigned = after.nextSeq() - 1;
                System.out.println("client killed with SIGKILL " + KILLS + " times; the spool assigned seq 1.." + assigned
                        + "; " + after);
                assertEquals(0, after.held(), "the clean stop left nothing unacknowledged");
                assertEquals(0, after.cutBytes(), "SIGKILL loses nothing written to the spool");
                TestDatabase db = TestDatabase.shared();
                long stream = spool.streamId();
                assertEquals(1, db.queryLong(store, "SELECT COUNT(DISTINCT stream_id) FROM readings WHERE device_id = 'killed-client'"),
                        "every restart continued the same stream");
                assertEquals(assigned, db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = 'killed-client'"
                        + " AND stream_id = ?", stream), "one row per seq the spool assigned");
                assertEquals(assigned, db.queryLong(store, "SELECT COUNT(DISTINCT seq) FROM readings WHERE stream_id = ?", stream));
                assertEquals(assigned, db.queryLong(store, "SELECT MAX(seq) FROM readings WHERE stream_id = ?", stream));
                // ~300 readings/s for ~7 s when the machine is idle; far fewer on a loaded CI machine
                assertTrue(assigned > 300, "enough readings to mean something: " + assigned);
            }
        }
    }

    private static Process start(Path config, String label) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-jar", CLIENT_JAR.toString(), "run",
                "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (var r = p.inputReader()) {
                r.lines().forEach(line -> System.out.println("[" + label + "] " + line));
            } catch (Exception e) {
                // the process is gone
            }
        });
        return p;
    }
}
