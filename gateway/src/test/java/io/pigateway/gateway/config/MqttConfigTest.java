package io.pigateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttConfigTest {
    @TempDir
    Path dir;

    private static MqttConfig parse(String... keysAndValues) throws ConfigException {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return MqttConfig.from(Settings.of("gateway.conf", m));
    }

    private static String error(String... keysAndValues) {
        return assertThrows(ConfigException.class, () -> parse(keysAndValues)).getMessage();
    }

    @Test
    void offWithoutABrokerAndTheDefaultsOtherwise() throws Exception {
        assertFalse(parse().enabled());
        assertFalse(parse("ingest.mqtt.user", "gateway", "ingest.mqtt.max-pending", "0").enabled(),
                "keys of an input that is off may stay in the file");
        MqttConfig c = parse("ingest.mqtt.broker", "tcp://127.0.0.1:1883");
        assertTrue(c.enabled());
        assertEquals("pi-gateway", c.clientId());
        assertEquals("pi/+/+", c.topics().getFirst().filter());
        assertEquals(null, c.tls());
    }

    @Test
    void aPasswordComesFromAPrivateFileAndNeverShowsInToString() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "s3cret-broker-pw\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        MqttConfig c = parse("ingest.mqtt.broker", "ssl://broker.lan:8883", "ingest.mqtt.user", "gateway",
                "ingest.mqtt.password-file", pw.toString());
        assertEquals("s3cret-broker-pw", c.password());
        assertNotNull(c.tls());
        assertFalse(c.toString().contains("s3cret"));
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(error("ingest.mqtt.broker", "ssl://broker.lan:8883", "ingest.mqtt.user", "gateway",
                "ingest.mqtt.password-file", pw.toString()).contains("chmod 600"));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertTrue(error("ingest.mqtt.broker", "mqtt://x:1883").contains(
                "key 'ingest.mqtt.broker' = 'mqtt://x:1883' is invalid: tcp://host:port or ssl://host:port"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x").contains("with a port"));
        assertTrue(error("ingest.mqtt.broker", "tcp://gw:secret@x:1883").contains("ingest.mqtt.password-file"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x:1883", "ingest.mqtt.topics", "pi/{sensor}")
                .contains("key 'ingest.mqtt.topics' = 'pi/{sensor}' is invalid: {device} is missing"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x:1883", "ingest.mqtt.tls.ca-file", "/etc/ca.pem")
                .contains("only for a broker at ssl://"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x:1883", "ingest.mqtt.password-file", "/etc/pw")
                .contains("'ingest.mqtt.user' is required"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x:1883", "ingest.mqtt.client-id", "a b")
                .contains("key 'ingest.mqtt.client-id' = 'a b' is invalid"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x:1883", "ingest.mqtt.precision", "days")
                .contains("key 'ingest.mqtt.precision' = 'days'"));
        assertTrue(error("ingest.mqtt.broker", "tcp://x:1883", "ingest.mqtt.max-pending", "0")
                .contains("ingest.mqtt.max-pending"));
    }
}
