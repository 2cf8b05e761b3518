package io.pigateway.client;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SendConfig;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.config.SensorType;
import io.pigateway.client.config.SpoolConfig;
import io.pigateway.client.config.Simulation;
import io.pigateway.client.spool.Spool;
import io.pigateway.client.testing.FakeGateway;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole client (simulated sensors, spool, link) against the fake gateway. */
@Timeout(30)
class SensorClientIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private FakeGateway fake;
    @TempDir
    Path spoolDir;

    @BeforeEach
    void setUp() throws Exception {
        fake = FakeGateway.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
        assertEquals(List.of(), fake.violations());
    }

    /** Segments of 4 KiB (about 90 readings each), flushed every 20 ms. */
    private SpoolConfig spool(long maxBytes) {
        return new SpoolConfig(spoolDir, maxBytes, 4 << 10, SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(20), 100);
    }

    private SensorClientConfig config(SpoolConfig spool) {
        Duration fast = Duration.ofMillis(10);
        return new SensorClientConfig("pi-it",
                new GatewayLinkConfig(List.of(fake.address()), Duration.ofSeconds(2), Duration.ofSeconds(30)),
                new ReconnectConfig(Duration.ofMillis(20), Duration.ofMillis(200)),
                new SendConfig(50, Duration.ofMillis(20)),
                spool,
                Duration.ofSeconds(3),
                Duration.ZERO,
                List.of(new SensorConfig("air-temp", SensorType.TEMPERATURE, fast, "°C",
                                new Simulation.Wave(21, 2, Duration.ofMinutes(10), 0.1)),
                        new SensorConfig("air-humidity", SensorType.HUMIDITY, fast, "%",
                                new Simulation.Wave(95, 20, Duration.ofSeconds(2), 5)),
                        new SensorConfig("door", SensorType.TOGGLE, fast, "", new Simulation.Toggle(0.3))), null);
    }

    @Test
    void simulatedReadingsReachTheGatewayAndShutdownSaysBye() throws Exception {
        SensorClient client = SensorClient.start(config(spool(1 << 20)));
        until("some readings are acknowledged", WAIT, () -> client.stats().acknowledged() >= 150);
        ClientStats last = client.shutdown();

        assertEquals(1, fake.byes());
        assertEquals(0, last.pending(), "everything sampled was acknowledged before BYE");
        assertEquals(last.sampled(), last.acknowledged());
        assertEquals(last.sampled(), fake.committed().size());
        assertEquals(last, client.shutdown(), "shutdown is idempotent");
        assertEquals(List.of(new SensorInfo("air-temp", "°C", "simulated.temperature", true),
                new SensorInfo("air-humidity", "%", "simulated.humidity", true),
                new SensorInfo("door", "", "simulated.toggle", true)), fake.hellos().getFirst().sensors().subList(0, 3),
                "HELLO announces the configured sensors, in order");

        Map<String, List<Double>> bySensor = fake.frames().stream().flatMap(List::stream)
                .collect(Collectors.groupingBy(Reading::sensor, Collectors.mapping(Reading::value, Collectors.toList())));
        assertEquals(Map.of("air-temp", 1, "air-humidity", 1, "door", 1).keySet(), bySensor.keySet());
        assertTrue(bySensor.get("air-humidity").stream().allMatch(v -> v >= 0 && v <= 100));
        assertTrue(bySensor.get("door").stream().allMatch(v -> v == 0 || v == 1));
        assertTrue(bySensor.get("air-temp").stream().allMatch(v -> v > 10 && v < 30));
        long now = System.currentTimeMillis();
        assertTrue(fake.frames().stream().flatMap(List::stream)
                .allMatch(r -> r.timestampMillis() > now - 60_000 && r.timestampMillis() <= now));
    }

    @Test
    void aFullSpoolDropsTheOldestWhileTheGatewayIsAwayCountsThemAndKeepsTheRestForTheNextStart() throws Exception {
        fake.close(); // nothing listens: readings pile up
        SpoolConfig small = spool((2 << 12) + SpoolConfig.META_RESERVE_BYTES); // two 4 KiB segments
        SensorClient client = SensorClient.start(config(small));
        until("the spool overflows", WAIT, () -> client.stats().dropped() >= 10);
        ClientStats s = client.shutdown();
        assertEquals(s.sampled(), s.acknowledged() + s.dropped() + s.pending());
        assertTrue(s.pending() > 0 && s.pending() < 2 * 4096 / 36, "at most two segments' worth: " + s);
        assertTrue(s.lastProblem().contains("unreachable"), s.lastProblem());

        try (Spool again = Spool.open(small, "pi-it")) {
            assertEquals(client.streamId(), again.streamId());
            assertEquals(s.pending(), again.size(), "what was not acknowledged is there after a restart");
            assertEquals(s.dropped(), again.stats().lost(), "the stream's lost count survives the restart");
            Reading lastCount = again.peekUnsent(0, 10_000).stream().filter(r -> r.sensor().equals(Spool.DROPPED_SENSOR))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(s.dropped(), (long) lastCount.value(), "the last client.readings-dropped reading has the count");
        }
    }
}
