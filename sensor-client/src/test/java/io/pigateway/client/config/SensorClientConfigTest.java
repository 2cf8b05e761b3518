package io.pigateway.client.config;

import static io.pigateway.client.config.TestConf.assertInvalid;
import static io.pigateway.client.config.TestConf.error;
import static io.pigateway.client.config.TestConf.lines;
import static io.pigateway.client.config.TestConf.minimal;
import static io.pigateway.client.config.TestConf.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.testing.CapturedLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SensorClientConfigTest {
    private static String errorWith(String key, String value) {
        Map<String, String> m = minimal();
        m.put(key, value);
        return error(m);
    }

    @Test
    void minimalFileGetsTheDocumentedDefaults() throws Exception {
        SensorClientConfig c = parse(minimal());
        assertEquals("pi-1", c.deviceId());
        assertEquals(List.of(new GatewayAddress("10.0.0.5", 4711)), c.gateway().addresses());
        assertEquals(Duration.ofSeconds(5), c.gateway().connectTimeout());
        assertEquals(Duration.ofSeconds(30), c.gateway().pingInterval());
        assertEquals(Duration.ofMillis(500), c.reconnect().backoffMin());
        assertEquals(Duration.ofSeconds(30), c.reconnect().backoffMax());
        assertEquals(500, c.send().frameMaxReadings());
        assertEquals(Duration.ofMillis(200), c.send().frameMaxWait());
        assertEquals(new SpoolConfig(Path.of("/var/lib/pi-sensor-client/spool"), 64L << 20, 1L << 20,
                SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofSeconds(1), 100), c.spool());
        assertEquals(63, c.spool().segments(), "64 MiB minus 4 KiB for the meta file");
        assertEquals(Duration.ofSeconds(5), c.shutdownAckWait());
        SensorConfig temp = c.sensors().getFirst();
        assertEquals("temp", temp.name());
        assertEquals(SensorType.TEMPERATURE, temp.type());
        assertEquals(Duration.ofSeconds(1), temp.interval());
        assertEquals("°C", temp.unit());
        assertEquals(new Simulation.Wave(21.0, 2.0, Duration.ofMinutes(10), 0.1), temp.settings());
    }

    @Test
    void everySensorTypeWithItsKnobs() throws Exception {
        Map<String, String> m = minimal();
        // a sensor name may contain dots
        m.putAll(lines("""
                sensor.temp.interval = 250ms
                sensor.temp.base = -5.5
                sensor.temp.unit = K
                sensor.room.2.hum.type = humidity
                sensor.room.2.hum.base = 80
                sensor.door.type = TOGGLE
                sensor.door.flip-probability = 0.25
                """));
        SensorClientConfig c = parse(m);
        assertEquals(List.of("door", "room.2.hum", "temp"), c.sensors().stream().map(SensorConfig::name).toList());
        assertEquals(new Simulation.Toggle(0.25), c.sensors().get(0).settings());
        assertEquals(new Simulation.Wave(80, 10, Duration.ofMinutes(30), 0.5), c.sensors().get(1).settings());
        assertEquals("%", c.sensors().get(1).unit());
        assertEquals(Duration.ofMillis(250), c.sensors().get(2).interval());
        assertEquals(-5.5, ((Simulation.Wave) c.sensors().get(2).settings()).base());
        assertEquals("K", c.sensors().get(2).unit());
    }

    @Test
    void severalAddressesIncludingIpv6KeepTheirOrder() throws Exception {
        Map<String, String> m = minimal();
        m.put("gateway.addresses", "gw1.local:4711, [fd00::5]:4712 ,10.0.0.7:1");
        assertEquals(List.of(new GatewayAddress("gw1.local", 4711), new GatewayAddress("fd00::5", 4712),
                new GatewayAddress("10.0.0.7", 1)), parse(m).gateway().addresses());
    }

    @Test
    void aUnixSocketAddressNamesTheGatewaysSocketFileAndRefusesTls() throws Exception {
        Map<String, String> m = minimal();
        m.put("gateway.addresses", "unix:/run/pi-gateway/gateway.sock, 10.0.0.5:4711");
        assertEquals(List.of(GatewayAddress.unix(Path.of("/run/pi-gateway/gateway.sock")), new GatewayAddress("10.0.0.5", 4711)),
                parse(m).gateway().addresses());
        m.put("gateway.tls.enabled", "true");
        assertEquals("test.conf: key 'gateway.addresses' = 'unix:/run/pi-gateway/gateway.sock, 10.0.0.5:4711' is invalid:"
                + " a unix: address cannot be used with gateway.tls.enabled = true: the gateway's Unix socket is plaintext,"
                + " protected by its file mode", error(m));
        m.remove("gateway.tls.enabled");
        m.put("gateway.addresses", "unix:run/gateway.sock");
        assertTrue(error(m).contains("must name the socket file by its absolute path"), error(m));
    }

    @Test
    void missingDeviceId() {
        Map<String, String> m = minimal();
        m.remove("device.id");
        assertEquals("test.conf: key 'device.id' is required but missing", error(m));
    }

    @Test
    void theFrameKeysSetHowReadingsAreGroupedIntoFrames() throws Exception {
        Map<String, String> m = minimal();
        m.put("send.frame-max-readings", "100");
        m.put("send.frame-max-wait", "50ms");
        assertEquals(new SendConfig(100, Duration.ofMillis(50)), parse(m).send());
    }

    @Test
    void theOldBatchKeysStillWorkWithADeprecationLine() throws Exception {
        Map<String, String> m = minimal();
        m.put("send.batch-max-readings", "100");
        m.put("send.batch-max-wait", "50ms");
        try (CapturedLog log = CapturedLog.start()) {
            assertEquals(new SendConfig(100, Duration.ofMillis(50)), parse(m).send());
            assertEquals(1, log.await(Duration.ofSeconds(5), "WARN", "test.conf: key 'send.batch-max-readings' is"
                    + " deprecated, it is now 'send.frame-max-readings'").size());
            assertEquals(1, log.await(Duration.ofSeconds(5), "WARN", "key 'send.batch-max-wait' is deprecated, it is"
                    + " now 'send.frame-max-wait'").size());
        }
    }

    @Test
    void invalidDeviceIdNamesKeyValueAndRule() {
        assertEquals("test.conf: key 'device.id' = 'pi 1' is invalid: device id contains character U+0020 at index 2;"
                + " allowed are A-Z a-z 0-9 . _ - :", errorWith("device.id", "pi 1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gateway.addresses       | 10.0.0.5                | has no port",
        "gateway.addresses       | 10.0.0.5:0              | a port is a number from 1 to 65535",
        "gateway.addresses       | 10.0.0.5:70000          | a port is a number from 1 to 65535",
        "gateway.addresses       | 10.0.0.5:http           | a port is a number from 1 to 65535",
        "gateway.addresses       | ::1:4711                | put it in brackets: [::1]:4711",
        "gateway.addresses       | [::1]4711               | must look like [ipv6]:port",
        "gateway.addresses       | :4711                   | has no host",
        "gateway.addresses       | bad host:4711           | has host 'bad host', which is not a host name or an IPv4 address",
        "gateway.addresses       | gw/1:4711               | has host 'gw/1', which is not a host name",
        "gateway.addresses       | [::g]:4711              | has host '::g', which is not an IPv6 address",
        "gateway.addresses       | ' , '                   | must list at least one host:port",
        "gateway.connect-timeout | 5                       | must be a number with a unit",
        "gateway.connect-timeout | 10ms                    | must be from 100ms to 5m",
        "gateway.ping-interval   | 2h                      | must be from 1s to 1h",
        "reconnect.backoff-min   | 0ms                     | must be from 10ms to 10m",
        "send.batch-max-readings | 0                       | must be from 1 to 65535",
        "send.batch-max-readings | 70000                   | must be from 1 to 65535",
        "send.batch-max-readings | many                    | must be a whole number from 1 to 65535",
        "send.batch-max-wait     | 11s                     | must be from 0s to 10s",
        "send.frame-max-readings | 0                       | must be from 1 to 65535",
        "send.frame-max-wait     | 11s                     | must be from 0s to 10s",
        "spool.max-bytes         | 12KiB                   | must hold at least 2 segments of 1MiB (spool.segment-bytes) plus 4KiB",
        "spool.max-bytes         | 64MB                    | must be a size: a number of bytes, or with KiB, MiB or GiB",
        "spool.max-bytes         | 2TiB                    | must be a size",
        "spool.segment-bytes     | 1KiB                    | must be from 4KiB to 1GiB",
        "spool.segment-bytes     | 64MiB                   | with the default spool.max-bytes of 64MiB, which must hold at least 2",
        "spool.full-policy       | drop-newest             | must be one of drop-oldest, stop-sampling",
        "spool.sync-interval     | 1                       | must be a number with a unit",
        "spool.sync-interval     | 11m                     | must be from 0s to 10m",
        "spool.sync-every        | 0                       | must be from 1 to 1000000",
        "shutdown.ack-wait       | 6m                      | must be from 0s to 5m",
        "sensor.temp.type        | pressure                | must be one of temperature, humidity, toggle",
        "sensor.temp.interval    | 1ms                     | must be from 10ms to 24h",
        "sensor.temp.base        | warm                    | must be a decimal number from -100 to 200",
        "sensor.temp.base        | NaN                     | must be a decimal number from -100 to 200",
        "sensor.temp.amplitude   | -1                      | must be a decimal number from 0 to 100",
        "sensor.temp.period      | 500ms                   | must be from 1s to 168h",
        "sensor.temp.unit        | degrees-celsius-long    | must be at most 16 characters",
    })
    void badValueNamesFileKeyValueAndRange(String key, String value, String rule) {
        Map<String, String> m = minimal();
        m.put(key, value);
        assertInvalid(m, key, value.strip(), rule);
    }

    /** Two keys, each valid alone, that cannot go together: the message names both. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "an old and a new name of one key | send.batch-max-readings = 100 | send.frame-max-readings = 200"
            + " | test.conf: key 'send.batch-max-readings' = '100' is invalid: is the old name of"
            + " 'send.frame-max-readings', which is set too; keep only send.frame-max-readings",
        "toggle probability range | sensor.door.type = toggle | sensor.door.flip-probability = 1.5"
            + " | test.conf: key 'sensor.door.flip-probability' = '1.5' is invalid: must be a decimal number from 0 to 1",
        "backoff max below min | reconnect.backoff-min = 2s | reconnect.backoff-max = 1s"
            + " | test.conf: key 'reconnect.backoff-max' = '1s' is invalid: must be at least reconnect.backoff-min (2s)",
    })
    void twoKeysThatDoNotGoTogether(String name, String first, String second, String expected) {
        Map<String, String> m = minimal();
        m.putAll(lines(first + "\n" + second));
        assertEquals(expected, error(m));
    }

    @Test
    void unknownKeyIsRejectedByName() {
        String message = errorWith("gateway.adresses", "10.0.0.5:4711");
        assertEquals("test.conf: unknown key 'gateway.adresses': did you mean 'gateway.addresses'?"
                + " (docs/CONFIGURATION.md lists the keys)", message);
    }

    @Test
    void knobOfAnotherSensorTypeIsAnUnknownKey() {
        String message = errorWith("sensor.temp.flip-probability", "0.5");
        assertTrue(message.startsWith("test.conf: unknown key 'sensor.temp.flip-probability'"), message);
    }

    @Test
    void sensorKeysWithoutTypeNameTheMissingKey() {
        String message = errorWith("sensor.hum.interval", "2s");
        assertTrue(message.startsWith("test.conf: key 'sensor.hum.type' is required but missing"), message);
    }

    @Test
    void invalidSensorName() {
        String message = errorWith("sensor.bad/name.type", "toggle");
        assertEquals("test.conf: key 'sensor.bad/name.type' names sensor 'bad/name', which is invalid: sensor name"
                + " contains character U+002F at index 3; allowed are A-Z a-z 0-9 . _ - :", message);
    }

    @Test
    void noSensor() {
        Map<String, String> m = minimal();
        m.remove("sensor.temp.type");
        assertTrue(error(m).startsWith("test.conf: no sensor is configured"), error(m));
    }

    @Test
    void describeIsAFileThatLoadsBackToTheSameConfig(@TempDir Path dir) throws Exception {
        Map<String, String> m = minimal();
        m.putAll(lines("""
                gateway.addresses = [::1]:4711, gw:1
                sensor.door.type = toggle
                sensor.hum.type = humidity
                sensor.hum.noise = 0.05
                send.batch-max-wait = 0ms
                spool.dir = demo-data/spool
                spool.max-bytes = 100_000
                spool.segment-bytes = 16KiB
                spool.full-policy = stop-sampling
                spool.sync-interval = 0ms
                spool.sync-every = 1
                """));
        SensorClientConfig c = parse(m);
        assertEquals(new SpoolConfig(Path.of("demo-data/spool"), 100_000, 16 << 10, SpoolConfig.FullPolicy.STOP_SAMPLING,
                Duration.ZERO, 1), c.spool());
        Path file = dir.resolve("described.conf");
        Files.writeString(file, c.describe());
        assertEquals(c, SensorClientConfig.load(file, null));
    }

    @Test
    void deviceIdOverrideReplacesOrSuppliesTheFilesValue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.conf");
        Files.writeString(file, "gateway.addresses = 127.0.0.1:4711\nsensor.t.type = toggle\n");
        assertEquals("demo-3", SensorClientConfig.load(file, "demo-3").deviceId());
        ConfigException e = assertThrows(ConfigException.class, () -> SensorClientConfig.load(file, "demo 3"));
        assertEquals("--device-id 'demo 3' is invalid: device id contains character U+0020 at index 4;"
                + " allowed are A-Z a-z 0-9 . _ - :", e.getMessage());
    }

    @Test
    void environmentVariablesOverrideTheFileAndTheCommandLineOverridesThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.conf");
        Files.writeString(file, "device.id = pi-1\ngateway.addresses = 127.0.0.1:4711\nsensor.t.type = toggle\n");
        Map<String, String> env = Map.of("PIGW_CLIENT_DEVICE_ID", "pi-env", "PIGW_CLIENT_SENSOR_T_INTERVAL", "2s");
        SensorClientConfig c = SensorClientConfig.load(file, null, env);
        assertEquals("pi-env", c.deviceId());
        assertEquals(Duration.ofSeconds(2), c.sensors().get(0).interval());
        assertEquals("demo-1", SensorClientConfig.load(file, "demo-1", env).deviceId());
        ConfigException e = assertThrows(ConfigException.class,
                () -> SensorClientConfig.load(file, null, Map.of("PIGW_CLIENT_SPOOL_DIRR", "/tmp")));
        assertTrue(e.getMessage().startsWith("environment variable PIGW_CLIENT_SPOOL_DIRR names no configuration key"),
                e.getMessage());
    }

    @Test
    void theShippedExampleFileIsValid() throws Exception {
        SensorClientConfig c = SensorClientConfig.load(Path.of("src/main/dist/sensor-client.conf"), null);
        assertEquals(3, c.sensors().size());
        assertEquals(2, c.gateway().addresses().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abcde           | holds a secret of 5 characters; the gateway accepts 16 to 256",
        "with space 0123456789 | holds a secret with a space or a character that is not printable ASCII"})
    void aDeviceSecretTheGatewayWouldRefuseIsRefusedHereToo(String secret, String problem, @TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), secret + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String message = errorWith("device.secret-file", file.toString());
        assertEquals("test.conf: device.secret-file: " + file.toAbsolutePath() + " " + problem
                + (problem.contains("16 to 256") ? " (e.g. openssl rand -base64 32)" : ", which the gateway does not"
                + " accept (e.g. openssl rand -base64 32)"), message);
    }
}
