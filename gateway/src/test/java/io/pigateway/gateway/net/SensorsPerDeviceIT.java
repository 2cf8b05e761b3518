package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * limits.max-sensors-per-device: a device that reconnects announcing new sensors each time cannot grow
 * the sensors table without bound, on MariaDB and on the embedded H2 store.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SensorsPerDeviceIT {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int PER_HELLO = 4;
    static final int PER_DEVICE = 10;

    @TempDir
    Path dir;

    static List<SensorInfo> sensors(int... numbers) {
        List<SensorInfo> list = new ArrayList<>();
        for (int n : numbers) {
            list.add(new SensorInfo("s" + n, "C", "temperature", false));
        }
        return list;
    }

    /** Connects as {@code device} announcing {@code sensors}; returns the gateway's answer to the HELLO. */
    static Message hello(RunningGateway g, String device, List<SensorInfo> sensors) throws Exception {
        try (TestDevice d = TestDevice.open(g.address())) {
            d.send(new Message.Hello(device, System.currentTimeMillis(), 1, sensors));
            return d.next();
        }
    }

    static long count(RunningGateway g, String table, String device) throws Exception {
        return TestStores.shared().queryLong(g.store, "SELECT COUNT(*) FROM " + table + " WHERE device_id = ?", device);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "h2"})
    void aDeviceAnnouncingNewSensorsAtEachReconnectIsRefusedOnceItWouldPassTheLimit(String database) throws Exception {
        try (RunningGateway g = "h2".equals(database)
                ? RunningGateway.startEmbedded(dir, c -> c.withLimits(limits(c.limits())))
                : RunningGateway.start(dir, c -> c.withLimits(limits(c.limits())));
             CapturedLog log = CapturedLog.start()) {
            assertInstanceOf(Message.HelloOk.class, hello(g, "roamer", sensors(0, 1, 2, 3)));
            assertInstanceOf(Message.HelloOk.class, hello(g, "roamer", sensors(4, 5, 6, 7)));
            // Two known and two new: 10, exactly the limit.
            assertInstanceOf(Message.HelloOk.class, hello(g, "roamer", sensors(0, 1, 8, 9)));
            assertEquals(PER_DEVICE, count(g, "sensors", "roamer"));

            Message.Nack n = assertInstanceOf(Message.Nack.class, hello(g, "roamer", sensors(9, 10, 11)));
            assertEquals(NackCode.TOO_MANY_SENSORS, n.nackCode(), n.reason());
            assertEquals("device roamer would have 12 sensors (10 stored, 2 new in this HELLO), limit 10"
                    + " (limits.max-sensors-per-device); remove old ones from the sensors table or raise the limit",
                    n.reason());
            assertEquals(1, log.await(WAIT, "device roamer", "would have 12 sensors", "TOO_MANY_SENSORS").size());
            assertEquals(PER_DEVICE, count(g, "sensors", "roamer"), "nothing of the refused HELLO is stored");
            assertEquals(3, count(g, "connections", "roamer"), "the refused connection is not recorded");

            // Sensors it already has, or none: still served.
            assertInstanceOf(Message.HelloOk.class, hello(g, "roamer", sensors(2, 3, 8, 9)));
            assertInstanceOf(Message.HelloOk.class, hello(g, "roamer", List.of()));
            assertEquals(5, count(g, "connections", "roamer"));
            // Other devices have their own count.
            assertInstanceOf(Message.HelloOk.class, hello(g, "neighbour", sensors(10, 11, 12, 13)));
            assertEquals(PER_HELLO, count(g, "sensors", "neighbour"));
        }
    }

    static LimitsConfig limits(LimitsConfig l) {
        return l.withMemory(l.maxHelloBytes(), PER_HELLO, l.connectionMemoryPercent()).withMaxSensorsPerDevice(PER_DEVICE);
    }
}
