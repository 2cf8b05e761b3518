package io.pigateway.client.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One sensor's task driven tick by tick on a fake clock: failures, backoff, recovery, partial samples. */
class SensorTaskTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private long nanos;
    private final List<String> delivered = new ArrayList<>();

    /** A three-channel sensor that fails while {@code failing} says so. */
    private final class Flaky implements PolledSensor {
        boolean failing;
        double[] values = {21.5, 1013.2, 40.0};
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public String name() {
            return "air";
        }

        @Override
        public String description() {
            return "BME280 on I2C bus 1 (/dev/i2c-1) at 0x76";
        }

        @Override
        public List<SensorInfo> channels() {
            return List.of(new SensorInfo("air.temperature", "°C", "bme280.temperature", false),
                    new SensorInfo("air.pressure", "hPa", "bme280.pressure", false),
                    new SensorInfo("air.humidity", "%RH", "bme280.humidity", false));
        }

        @Override
        public double[] sample() throws IOException {
            attempts.incrementAndGet();
            if (failing) {
                throw new IOException("I2C bus 1 at 0x76: reading 8 byte(s) from register 0xF7 failed: Remote I/O error");
            }
            return values.clone();
        }
    }

    private SensorTask task(PolledSensor s) {
        return new SensorTask(s, INTERVAL, (sensor, at, value) -> delivered.add(sensor + "=" + value), () -> 42L,
                () -> nanos);
    }

    /** Runs the task once per interval, the way the sampler's fixed-rate schedule does. */
    private void ticks(SensorTask t, int n) {
        for (int i = 0; i < n; i++) {
            t.run();
            nanos += INTERVAL.toNanos();
        }
    }

    @Test
    void aFailingSensorIsRetriedWithBackoffAndLoggedOncePerStreak() {
        Flaky air = new Flaky();
        SensorTask t = task(air);
        ticks(t, 3);
        assertEquals(9, delivered.size(), "three readings per sample");

        air.failing = true;
        air.attempts.set(0);
        ticks(t, 64);
        // Attempts at ticks 0, 1, 3, 7, 15, 31 and 63 of the streak: waits of 1, 2, 4, 8, 16 and 32 intervals.
        assertEquals(7, air.attempts.get());
        assertEquals(7, t.failed.get(), "every failed read is counted");
        assertEquals(1, t.problemLines.get(), "one log line for the streak");
        assertEquals(9, delivered.size(), "no value from a failed read");

        ticks(t, 200);
        assertEquals(7 + 3, air.attempts.get(), "then at most one try a minute (the cap): ticks 123, 183, 243");

        air.failing = false;
        ticks(t, 40); // ticks 264 to 303 of the streak: the next try is at 303
        assertEquals(9 + 3, delivered.size(), "recovered at the next try");
        int before = air.attempts.get();
        ticks(t, 5);
        assertEquals(before + 5, air.attempts.get(), "and read every interval again");
        assertEquals(1, t.problemLines.get());
    }

    @Test
    void nonFiniteValuesAreDroppedTheOthersDelivered() {
        Flaky air = new Flaky();
        air.values = new double[] {21.5, Double.NaN, 40.0};
        SensorTask t = task(air);
        ticks(t, 2);
        assertEquals(List.of("air.temperature=21.5", "air.humidity=40.0", "air.temperature=21.5", "air.humidity=40.0"),
                delivered);
        assertEquals(2, t.invalid.get());
        assertEquals(4, t.sampled.get());
        assertEquals(1, t.problemLines.get());
    }

    @Test
    void backoffArithmetic() {
        SensorRetryBackoff b = new SensorRetryBackoff(10, 35);
        assertEquals(10, b.failed(0));
        assertEquals(20, b.failed(10));
        assertEquals(35, b.failed(30), "capped");
        assertEquals(35, b.failed(65));
        b.succeeded();
        assertEquals(10, b.failed(100), "starts over after a success");
        assertEquals(Long.MAX_VALUE / 2, new SensorRetryBackoff(Long.MAX_VALUE / 2, 1).maxNanos(), "never below the interval");
        SensorRetryBackoff many = new SensorRetryBackoff(1, 1000);
        for (int i = 0; i < 100; i++) {
            many.failed(0);
        }
        assertEquals(1000, many.failed(0), "no overflow after many failures");
    }

    @Test
    void aReadThatDoesNotReturnIsStuckOnceItOutlastsTheLimitAndAFailingOneIsNot() {
        long limit = Duration.ofSeconds(30).toNanos();
        List<String> seenDuringRead = new ArrayList<>();
        SensorTask[] self = new SensorTask[1];
        Sensor hanging = new ScriptedSensor("door", () -> {
            // The watchdog asks while this read is still running: 10 s in, then 31 s in.
            seenDuringRead.add(String.valueOf(self[0].stuck(nanos + Duration.ofSeconds(10).toNanos(), limit)));
            seenDuringRead.add(String.valueOf(self[0].stuck(nanos + Duration.ofSeconds(31).toNanos(), limit)));
            return 1;
        });
        self[0] = task(hanging);
        self[0].run();
        assertEquals(List.of("null", "sensor door: one read has been running for 31 s"), seenDuringRead);
        assertEquals(null, self[0].stuck(nanos + Duration.ofSeconds(30).toNanos(), limit), "between runs, within"
                + " interval + limit");

        Flaky air = new Flaky();
        air.failing = true;
        SensorTask failing = task(air);
        for (int i = 0; i < 100; i++) {
            ticks(failing, 1);
            assertEquals(null, failing.stuck(nanos, limit), "a failing sensor backs off but is still started");
        }
    }

    @Test
    void aSensorTheSchedulerStoppedStartingIsStuckAfterItsIntervalPlusTheLimit() {
        long limit = Duration.ofSeconds(30).toNanos();
        SensorTask t = task(new Flaky());
        ticks(t, 1);
        long lastStart = nanos - INTERVAL.toNanos();
        assertEquals(null, t.stuck(lastStart + INTERVAL.toNanos() + limit, limit));
        assertEquals("sensor air: not sampled for 31 s although due every 1000 ms",
                t.stuck(lastStart + INTERVAL.toNanos() + limit + 1, limit));
    }
}
