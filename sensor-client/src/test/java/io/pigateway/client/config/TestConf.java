package io.pigateway.client.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/** Settings for the config tests, written as the lines of a configuration file and read as the file test.conf. */
final class TestConf {
    private TestConf() {
    }

    /** The smallest valid file: device pi-1, one gateway, one simulated temperature sensor. */
    static Map<String, String> minimal() {
        return lines("""
                device.id = pi-1
                gateway.addresses = 10.0.0.5:4711
                sensor.temp.type = temperature
                """);
    }

    /** {@code key = value} lines, in their order; blank lines are skipped. */
    static Map<String, String> lines(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("not a key = value line: " + line);
            }
            m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return m;
    }

    static SensorClientConfig parse(Map<String, String> values) throws ConfigException {
        return SensorClientConfig.from(Settings.of("test.conf", values));
    }

    /** The message of the ConfigException that parsing these values must throw. */
    static String error(Map<String, String> values) {
        return assertThrows(ConfigException.class, () -> parse(values)).getMessage();
    }

    /** Parsing must fail on {@code key}, quoting {@code value} as the message shows it, for a reason containing {@code rule}. */
    static void assertInvalid(Map<String, String> values, String key, String value, String rule) {
        String message = error(values);
        assertTrue(message.startsWith("test.conf: key '" + key + "' = '" + value + "' is invalid: "), message);
        assertTrue(message.contains(rule), message);
    }
}
