package io.pigateway.client.sensor;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SamplerTest {
    private static final Duration FAST = Duration.ofMillis(10);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static ScheduledSensor every10ms(String name, ScriptedSensor.Reader reader) {
        return new ScheduledSensor(new ScriptedSensor(name, reader), FAST);
    }

    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    private void sink(String sensor, long at, double value) {
        assertTrue(Double.isFinite(value));
        received.computeIfAbsent(sensor, k -> new AtomicInteger()).incrementAndGet();
    }

    private int count(String sensor) {
        AtomicInteger n = received.get(sensor);
        return n == null ? 0 : n.get();
    }

    @Test
    void aSensorThatAlwaysThrowsDoesNotStopTheOthers() throws Exception {
        try (Sampler sampler = start(List.of(
                every10ms("broken", () -> {
                    throw new IOException("i2c bus error");
                }),
                every10ms("unchecked", () -> {
                    throw new IllegalStateException("driver bug");
                }),
                every10ms("good", () -> 21.0)), this::sink)) {
            until("the good sensor keeps delivering", WAIT, () -> count("good") >= 20);
            SamplerStats stats = sampler.stats();
            assertTrue(stats.failed() >= 4, "failures counted: " + stats);
            assertTrue(stats.failed() < 20, "failing sensors are retried with backoff, not at every tick: " + stats);
            assertEquals(2, sampler.problemLines(), "one line per failing sensor, not per failure");
            assertEquals(0, count("broken"));
            assertEquals(0, count("unchecked"));
        }
    }

    @Test
    void nonFiniteSamplesAreCountedNeverDelivered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Sampler sampler = start(List.of(
                every10ms("flaky", () -> switch (calls.incrementAndGet() % 3) {
                    case 0 -> Double.NaN;
                    case 1 -> Double.NEGATIVE_INFINITY;
                    default -> 5.0;
                })), this::sink)) {
            until("some valid samples", WAIT, () -> count("flaky") >= 10);
            SamplerStats stats = sampler.stats();
            assertTrue(stats.invalid() >= 10, "invalid: " + stats);
            assertEquals(0, stats.failed());
            assertEquals(1, sampler.problemLines(), "a flapping sensor logs one streak a minute, not one per flap");
        }
    }

    @Test
    void aSensorRecoversAfterAStreakOfFailures() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Sampler sampler = start(List.of(every10ms("wobbly", () -> {
            if (calls.incrementAndGet() <= 5) {
                throw new IOException("not ready");
            }
            return 1.0;
        })), this::sink)) {
            until("samples after recovery", WAIT, () -> count("wobbly") >= 3);
            assertEquals(5, sampler.stats().failed());
        }
    }

    @Test
    void nothingReachesTheSinkAfterClose() throws Exception {
        Sampler sampler = start(List.of(every10ms("s", () -> 1.0)), this::sink);
        until("first samples", WAIT, () -> count("s") >= 2);
        sampler.close();
        int after = count("s");
        // A witness on the same schedule: once it has sampled a few times, "s" would have too, if still running.
        try (Sampler witness = start(List.of(every10ms("witness", () -> 1.0)), this::sink)) {
            until("the witness samples", WAIT, () -> count("witness") >= 5);
        }
        assertEquals(after, count("s"));
        assertEquals(after, sampler.stats().sampled());
    }

    private static Sampler start(List<ScheduledSensor> sensors, ReadingSink sink) {
        return Sampler.start(SensorSet.of(sensors), sink, System::currentTimeMillis);
    }
}
