package io.pigateway.client.faults;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.ClientStats;
import io.pigateway.client.SensorClient;
import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.sensor.Sensors;
import io.pigateway.client.sensor.pi4j.HardwareSensors;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client whose clock starts in 1970 (a Pi without RTC that booted with NTP out of reach) and is
 * set mid-stream: it samples from the start, and every reading is stored with the time it was
 * sampled, none with a time in 1970. The clock is injected; the test waits on events, not on time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClockNotSetIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void readingsSampledBeforeTheClockIsSetGetTheGatewaysTimeWhenSentBeforeIt(@TempDir Path dir) throws Exception {
        run(dir, "clock-gateway-first", true);
    }

    @Test
    void readingsSampledBeforeTheClockIsSetGetTheirTimeOnceItIsSetIfSentAfter(@TempDir Path dir) throws Exception {
        run(dir, "clock-set-first", false);
    }

    /**
     * The gateway is out of reach at first and the clock in 1970; then the gateway comes (before or
     * after the clock is set), the clock is set, and the client stops.
     */
    private static void run(Path dir, String device, boolean gatewayBeforeClock) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        int port = Faults.freePort();
        AtomicBoolean set = new AtomicBoolean();
        long bootNanos = System.nanoTime();
        // Until set: 1970-01-01T00:00:05 plus the time since "boot"; then the real time.
        DeviceClock clock = new DeviceClock(
                () -> set.get() ? System.currentTimeMillis() : 5_000 + (System.nanoTime() - bootNanos) / 1_000_000,
                System::nanoTime);
        long started = System.currentTimeMillis();
        SensorClientConfig config = Faults.clientConfig(device, "127.0.0.1:" + port);
        SensorClient client = SensorClient.start(config, Sensors.open(config.sensors(), HardwareSensors::open), clock);
        Gateway gateway = null;
        ClientStats end;
        try {
            until("readings sampled with the clock in 1970", WAIT, () -> client.stats().sampled() > 100);
            if (gatewayBeforeClock) {
                gateway = startGateway(dir, store, port);
                until("readings stamped in 1970 acknowledged", WAIT, () -> client.stats().acknowledged() > 100);
                set.set(true);
            } else {
                set.set(true);
                gateway = startGateway(dir, store, port);
            }
            long atSet = client.stats().sampled();
            until("readings sampled after the clock was set acknowledged", WAIT,
                    () -> client.stats().acknowledged() > atSet + 100);
        } finally {
            end = client.shutdown();
            if (gateway != null) {
                gateway.close();
            }
        }
        long ended = System.currentTimeMillis();
        System.out.println(device + ": " + end);
        TestStores db = TestStores.shared();
        assertEquals(0, end.pending(), end.toString());
        assertEquals(end.sampled(), db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ?", device));
        long early = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ? AND device_time < ?",
                device, java.time.LocalDateTime.ofEpochSecond((started - 1000) / 1000, 0, java.time.ZoneOffset.UTC));
        long late = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ? AND device_time > ?",
                device, java.time.LocalDateTime.ofEpochSecond((ended + 1000) / 1000 + 1, 0, java.time.ZoneOffset.UTC));
        System.out.printf("%s: %d readings; %d with a device time before the test began, %d after it ended%n", device,
                end.sampled(), early, late);
        assertEquals(0, early, "no reading stored with a time before it was sampled (1970)");
        assertEquals(0, late);
        assertTrue(end.sampled() > 200);
    }

    private static Gateway startGateway(Path dir, StoreConfig store, int port) throws Exception {
        return Gateway.start(TestGatewayConfig.forTests(dir).withStore(store)
                .withListen(new ListenConfig(InetAddress.getLoopbackAddress(), port, 128)));
    }
}
