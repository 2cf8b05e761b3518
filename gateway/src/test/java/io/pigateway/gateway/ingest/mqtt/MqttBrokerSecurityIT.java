package io.pigateway.gateway.ingest.mqtt;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.common.Settings;
import io.pigateway.testing.TestPki;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.MqttConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.testing.MosquittoBroker;
import io.pigateway.gateway.testing.TestStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust model of docs/INGEST.md (MQTT) against a real Mosquitto: TLS to the broker with the CA from
 * {@code ingest.mqtt.tls.ca-file}, the gateway's broker password from a secret file, and the ACL
 * {@code pattern write pi/%u/#} keeping a device to its own topics.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MqttBrokerSecurityIT {
    private static final TestStores DB = TestStores.shared();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void overTlsWithPasswordsAndTheAclADeviceStoresOnlyUnderItsOwnTopic() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "broker");
        TestPki.Issued server = pki.server("broker");
        Path brokerDir = Files.createDirectories(dir.resolve("broker"));
        Path acl = Files.writeString(brokerDir.resolve("acl"), String.join("\n",
                "pattern write pi/%u/#", "", "user gateway", "topic read pi/#", ""));
        Path passwords = MosquittoBroker.passwordFile(brokerDir.resolve("passwords"),
                "gateway", "gateway-broker-password", "attic", "attic-broker-password");
        StoreConfig store = DB.freshSchema(dir);
        Path gatewayPassword = TestPki.secret(dir.resolve("mqtt-password"),
                "gateway-broker-password\n".getBytes(StandardCharsets.UTF_8));
        try (MosquittoBroker broker = MosquittoBroker.start(brokerDir, "password_file " + passwords,
                "acl_file " + acl, "cafile " + pki.caFile(), "certfile " + server.certificateFile(),
                "keyfile " + server.keyFile());
             CapturedLog log = CapturedLog.start()) {
            MqttConfig mqtt = MqttConfig.from(Settings.of("test", Map.of("ingest.mqtt.broker", broker.tlsUri().toString(),
                    "ingest.mqtt.user", "gateway", "ingest.mqtt.password-file", gatewayPassword.toString(),
                    "ingest.mqtt.tls.ca-file", pki.caFile().toString())));
            GatewayConfig config = TestGatewayConfig.forTests(dir).withStore(store)
                    .withIngest(IngestConfig.defaults().withMqtt(mqtt));
            try (Gateway g = Gateway.start(config)) {
                log.await(WAIT, "MQTT: connected to 127.0.0.1:" + broker.port(), "subscribed to pi/+/+");
                String[] attic = {"--cafile", pki.caFile().toString(), "-u", "attic", "-P", "attic-broker-password"};
                broker.publish("pi/attic/air.temp", "1", attic);
                broker.publish("pi/cellar/air.temp", "2", attic); // the broker drops it: not attic's topic
                broker.publish("pi/attic/air.temp", "3", attic);
                awaitRows(store, 2, "device_id = 'attic'");
                assertEquals(0, DB.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = 'cellar'"));
            }
        }
    }

    @Test
    void aBrokerCertifiedByAnotherCaIsNotTrusted() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "broker");
        TestPki other = TestPki.create(dir.resolve("other"), "other");
        TestPki.Issued server = pki.server("broker");
        Path brokerDir = Files.createDirectories(dir.resolve("broker"));
        try (MosquittoBroker broker = MosquittoBroker.start(brokerDir, "certfile " + server.certificateFile(),
                "keyfile " + server.keyFile());
             CapturedLog log = CapturedLog.start()) {
            MqttConfig mqtt = MqttConfig.from(Settings.of("test", Map.of("ingest.mqtt.broker", broker.tlsUri().toString(),
                    "ingest.mqtt.tls.ca-file", other.caFile().toString())));
            GatewayConfig config = TestGatewayConfig.forTests(dir).withIngest(IngestConfig.defaults().withMqtt(mqtt));
            try (Gateway g = Gateway.start(config)) {
                log.await(WAIT, "MQTT: cannot connect to 127.0.0.1:" + broker.port(), "PKIX");
                assertEquals(0, log.lines("MQTT: connected").size());
            }
        }
    }

    private static void awaitRows(StoreConfig store, long expected, String where) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long n;
        while ((n = DB.queryLong(store, "SELECT COUNT(*) FROM readings WHERE " + where)) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(n + " rows where " + where + "; expected " + expected);
            }
            Thread.sleep(20);
        }
    }
}
