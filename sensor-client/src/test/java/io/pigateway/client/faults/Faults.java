package io.pigateway.client.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.client.ClientStats;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.Settings;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the fault-injection tests share: a fast-sampling client, and the exact-count check they end with. */
final class Faults {
    /** Each device id gets its own subdirectory; a fresh base per test JVM, so no spool is left from an earlier run. */
    private static final Path SPOOL_DIR = tempDir();
    /** Every fault-test device proves this secret; the gateway run as a process checks it. */
    private static final String SECRET = "fault-test-secret-0123456789";
    private static final Path SECRET_FILE = privateFile(SPOOL_DIR.resolve("device-secret"), SECRET + "\n");
    private static final Path DEVICES_FILE = privateFile(SPOOL_DIR.resolve("devices"),
            String.join("\n", "# device  secret", "killed-gw " + SECRET, "cut " + SECRET, "db-outage " + SECRET,
                    "killed-client " + SECRET, ""));

    private Faults() {
    }

    private static Path privateFile(Path file, String content) {
        try {
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            // Under target/, so it goes with mvn clean instead of piling up in /tmp.
            return Files.createTempDirectory(Files.createDirectories(Path.of("target", "fault-spools")), "run");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Three simulated sensors sampled every 10 ms (300 readings/s), short backoffs, small frames, a
     * spool (flushed every 20 ms) in a directory of this test run.
     */
    static Map<String, String> clientSettings(String device, String gateways) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("device.id", device);
        m.put("device.secret-file", SECRET_FILE.toString());
        m.put("spool.dir", SPOOL_DIR.toString());
        m.put("spool.sync-interval", "20ms");
        m.put("gateway.addresses", gateways);
        m.put("gateway.connect-timeout", "2s");
        m.put("reconnect.backoff-min", "20ms");
        m.put("reconnect.backoff-max", "500ms");
        m.put("send.frame-max-readings", "100");
        m.put("send.frame-max-wait", "20ms");
        m.put("shutdown.ack-wait", "20s");
        for (String type : new String[] {"temperature", "humidity", "toggle"}) {
            m.put("sensor." + type + ".type", type);
            m.put("sensor." + type + ".interval", "10ms");
        }
        return m;
    }

    static SensorClientConfig clientConfig(String device, String gateways) throws Exception {
        return SensorClientConfig.from(Settings.of("fault-test client", clientSettings(device, gateways)));
    }

    /** A gateway configuration file on the given MariaDB schema and port. */
    static Path gatewayConfig(Path dir, StoreConfig store, int port) throws IOException {
        return Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1",
                "listen.port = " + port,
                "store.type = mysql",
                "store.host = " + store.host(),
                "store.port = " + store.port(),
                "store.database = " + store.database(),
                "store.user = " + store.user(),
                "store.password-file = " + store.passwordFile(),
                "auth.devices-file = " + DEVICES_FILE,
                "log.stats-interval = 0s",
                ""));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The check every fault test ends with: everything sampled was acknowledged, and the table holds
     * exactly one row per sampled reading of this device and stream, no more, no fewer.
     */
    static void assertStoredExactlyOnce(StoreConfig store, String device, long streamId, ClientStats end) throws Exception {
        TestStores db = TestStores.shared();
        assertEquals(0, end.pending(), "readings left unacknowledged at the end: " + end);
        assertEquals(0, end.dropped(), "readings dropped: " + end);
        assertEquals(end.sampled(), end.acknowledged(), end.toString());
        long rows = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ? AND stream_id = ?", device, streamId);
        long distinct = db.queryLong(store, "SELECT COUNT(DISTINCT seq) FROM readings WHERE device_id = ? AND stream_id = ?",
                device, streamId);
        long maxSeq = db.queryLong(store, "SELECT COALESCE(MAX(seq), 0) FROM readings WHERE device_id = ? AND stream_id = ?",
                device, streamId);
        assertEquals(end.sampled(), rows, "rows in MariaDB vs readings sampled");
        assertEquals(rows, distinct, "no duplicates");
        assertEquals(rows, maxSeq, "seq 1..N without gaps");
        assertEquals(rows, db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ?", device),
                "no rows under another stream");
    }
}
