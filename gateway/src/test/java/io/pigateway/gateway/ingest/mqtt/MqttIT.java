package io.pigateway.gateway.ingest.mqtt;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.MqttConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.testing.MosquittoBroker;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT input against Debian's Mosquitto, with messages from {@code mosquitto_pub} (QoS 1) and a
 * gateway over a fresh MariaDB schema: what is stored, what is acknowledged, what the broker sends again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MqttIT {
    private static final TestStores DB = TestStores.shared();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private MosquittoBroker broker;
    private StoreConfig store;
    private CapturedLog log;

    @BeforeEach
    void start() throws Exception {
        Path brokerDir = Files.createDirectories(dir.resolve("broker"));
        broker = MosquittoBroker.start(brokerDir);
        store = DB.freshSchema(dir);
        log = CapturedLog.start();
    }

    @AfterEach
    void stop() throws Exception {
        log.close();
        broker.close();
    }

    private Gateway gateway(UnaryOperator<GatewayConfig> tweak) throws Exception {
        int connected = log.lines("MQTT: connected to").size();
        GatewayConfig config = TestGatewayConfig.forTests(dir).withStore(store)
                .withIngest(IngestConfig.defaults().withMqtt(MqttConfig.OFF.withBroker(broker.uri())));
        Gateway g = Gateway.start(tweak.apply(config));
        // Subscribed (the first time) or session resumed: from here on the broker keeps messages for it.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (log.lines("MQTT: connected to").size() == connected) {
            if (System.nanoTime() > deadline) {
                g.close();
                throw new AssertionError("the gateway did not connect to the broker within " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
        return g;
    }

    private long rows(String where, Object... params) throws Exception {
        return DB.queryLong(store, "SELECT COUNT(*) FROM readings WHERE " + where, params);
    }

    private void awaitRows(long expected, String where, Object... params) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long n;
        while ((n = rows(where, params)) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(n + " rows where " + where + " after " + WAIT.toSeconds() + " s; expected "
                        + expected);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void numbersJsonAndLineProtocolAreStoredForTheDeviceOfTheTopic() throws Exception {
        try (Gateway g = gateway(c -> c)) {
            broker.publish("pi/attic/air.temp", "21.5");
            broker.publish("pi/attic/air.hum", "{\"value\": 40.5, \"ts\": \"2025-12-02T16:00:00.250Z\", \"unit\": \"%\"}");
            awaitRows(2, "device_id = 'attic'");
            assertEquals(1, rows("device_id = 'attic' AND sensor = 'air.temp' AND value = 21.5"));
            assertEquals(1, rows("device_id = 'attic' AND sensor = 'air.hum' AND value = 40.5"
                    + " AND device_time = TIMESTAMP '2025-12-02 16:00:00.250'"));
            assertEquals(1, DB.queryLong(store, "SELECT COUNT(*) FROM sensors WHERE device_id = 'attic'"
                    + " AND sensor = 'air.hum' AND kind = 'mqtt' AND unit = '%'"));

            // A timed reading published twice (a device that did not get its PUBACK) is stored once.
            broker.publish("pi/attic/air.hum", "{\"value\": 40.5, \"ts\": \"2025-12-02T16:00:00.250Z\"}");
            broker.publish("pi/attic/air.temp", "21.6");
            awaitRows(3, "device_id = 'attic'");
            assertEquals(1, rows("device_id = 'attic' AND sensor = 'air.hum'"));

            // Line protocol as Telegraf's outputs.mqtt publishes it (nanoseconds): sensors from the lines.
            broker.publish("pi/attic/telegraf", "cpu,host=attic,cpu=cpu-total usage_idle=97.5 1764691200000000000\n"
                    + "mem,host=attic used=1024i 1764691200000000000");
            awaitRows(5, "device_id = 'attic'");
            assertEquals(1, rows("device_id = 'attic' AND sensor = 'cpu.usage_idle' AND value = 97.5"
                    + " AND device_time = TIMESTAMP '2025-12-02 16:00:00'"));
        }
    }

    @Test
    void aRetainedValueReplayedOnSubscribeIsNotStoredButOneQueuedForTheSessionIs() throws Exception {
        broker.publish("pi/attic/air.temp", "10", "-r"); // before the gateway's session exists
        try (Gateway g = gateway(c -> c)) {
            broker.publish("pi/attic/air.temp", "11");
            awaitRows(1, "device_id = 'attic'");
        }
        broker.publish("pi/attic/air.temp", "12", "-r"); // queued for the session while the gateway is away
        try (Gateway g = gateway(c -> c)) {
            broker.publish("pi/attic/air.temp", "13");
            awaitRows(3, "device_id = 'attic'");
        }
        assertEquals(0, rows("value = 10"));
        assertEquals(1, rows("value = 12"));
    }

    @Test
    void aBadPayloadIsRefusedLoggedOnceAndAcknowledgedSoTheBrokerDoesNotSendItAgain() throws Exception {
        try (Gateway g = gateway(c -> c)) {
            broker.publish("pi/attic/air.temp", "warm");
            broker.publish("pi/attic/air.temp", "1");
            awaitRows(1, "device_id = 'attic'");
            log.await(WAIT, "MQTT: refused a message of device attic", "INVALID", "'warm' is neither a number");
        }
        // A new connection with the same session: an unacknowledged message would come again now.
        try (Gateway g = gateway(c -> c)) {
            broker.publish("pi/attic/air.temp", "2");
            awaitRows(2, "device_id = 'attic'");
        }
        assertEquals(1, log.lines("MQTT: refused a message", "'warm'").size(), String.join("\n", log.lines("MQTT")));
    }

    @Test
    void aMessageThatArrivesWhileTheStoreIsDownIsNotAcknowledgedAndIsStoredLater() throws Exception {
        try (Gateway g = gateway(c -> c)) {
            broker.publish("pi/attic/air.temp", "1");
            awaitRows(1, "device_id = 'attic'");
            DB.execute(store, "RENAME TABLE readings TO readings_away");
            broker.publish("pi/attic/air.temp", "2");
            log.await(WAIT, "MQTT: not acknowledging a message of device attic", "UNAVAILABLE");
        } // the gateway stops without the PUBACK; only the broker has the message now
        DB.execute(store, "RENAME TABLE readings_away TO readings");
        assertEquals(0, rows("value = 2"));
        try (Gateway g = gateway(c -> c)) {
            awaitRows(1, "device_id = 'attic' AND value = 2");
        }
        assertEquals(2, rows("device_id = 'attic'"));
    }

    @Test
    void withSecretsOnlyDevicesInTheDevicesFileAreStoredAndAStrangerIsRefusedAndAcknowledged() throws Exception {
        Path devices = dir.resolve("devices");
        Files.writeString(devices, "attic 0123456789abcdef0123\n");
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rw-------"));
        AuthConfig auth = AuthConfig.secrets(devices, DeviceSecrets.load(SecretFile.at(devices)));
        try (Gateway g = gateway(c -> c.withAuth(auth))) {
            broker.publish("pi/stranger/air.temp", "5");
            broker.publish("pi/attic/air.temp", "6");
            awaitRows(1, "device_id = 'attic'");
            log.await(WAIT, "MQTT: refused a message of device stranger", "UNAUTHORIZED", "is not in");
        }
        try (Gateway g = gateway(c -> c.withAuth(auth))) {
            broker.publish("pi/attic/air.temp", "7");
            awaitRows(2, "device_id = 'attic'");
        }
        assertEquals(0, rows("device_id = 'stranger'"));
        assertEquals(1, log.lines("MQTT: refused a message of device stranger").size());
    }
}
