package io.pigateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pigateway.common.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * limits.max-hello-bytes, limits.max-sensors, limits.max-sensors-per-device and limits.connection-memory-percent:
 * defaults and errors.
 */
class MemoryLimitsConfigTest {

    @Test
    void theDefaultsAreAHelloSizedFrameSixtyFourSensorsAndThreeQuartersOfTheHeap() throws ConfigException {
        LimitsConfig l = GatewayConfigTest.parse(Map.of()).limits();
        assertEquals(16384, l.maxHelloBytes());
        assertEquals(64, l.maxSensors());
        assertEquals(75, l.connectionMemoryPercent());
        assertEquals(72_000_000L, l.connectionMemoryBytes(96_000_000L));
    }

    @Test
    void aDeviceMayHave256SensorsStoredByDefaultAndNeverFewerThanOneHelloAnnounces() throws ConfigException {
        assertEquals(256, GatewayConfigTest.parse(Map.of()).limits().maxSensorsPerDevice());
        assertEquals(1000, GatewayConfigTest.parse(Map.of("limits.max-sensors", "1000")).limits().maxSensorsPerDevice());
        assertEquals(5000, GatewayConfigTest.parse(Map.of("limits.max-sensors-per-device", "5000")).limits()
                .maxSensorsPerDevice());
        assertEquals("gateway.conf: key 'limits.max-sensors-per-device' = '32' is invalid: must be at least"
                + " limits.max-sensors (64)", assertThrows(ConfigException.class, () -> GatewayConfigTest.parse(Map.of(
                        "limits.max-sensors-per-device", "32"))).getMessage());
        assertThrows(ConfigException.class, () -> GatewayConfigTest.parse(Map.of(
                "limits.max-sensors-per-device", "2000000")));
    }

    @Test
    void aSmallFrameLimitAlsoBoundsTheHelloLimitByDefault() throws ConfigException {
        assertEquals(4096, GatewayConfigTest.parse(Map.of("limits.max-frame-bytes", "4096")).limits().maxHelloBytes());
    }

    @Test
    void aHelloLimitAboveTheFrameLimitIsRefusedNamingBoth() {
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfigTest.parse(Map.of(
                "limits.max-frame-bytes", "65536", "limits.max-hello-bytes", "131072")));
        assertEquals("gateway.conf: key 'limits.max-hello-bytes' = '131072' is invalid: must be at most"
                + " limits.max-frame-bytes (65536)", e.getMessage());
    }

    @Test
    void valuesOutOfRangeAreRefusedNamingTheKey() {
        assertEquals("gateway.conf: key 'limits.connection-memory-percent' = '95' is invalid: must be from 1 to 90",
                assertThrows(ConfigException.class, () -> GatewayConfigTest.parse(Map.of(
                        "limits.connection-memory-percent", "95"))).getMessage());
        assertEquals("gateway.conf: key 'limits.max-hello-bytes' = '100' is invalid: must be from 512 to 16777216",
                assertThrows(ConfigException.class, () -> GatewayConfigTest.parse(Map.of(
                        "limits.max-hello-bytes", "100"))).getMessage());
        assertThrows(ConfigException.class, () -> GatewayConfigTest.parse(Map.of("limits.max-sensors", "70000")));
    }
}
