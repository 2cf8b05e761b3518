package io.pigateway.client.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.config.SensorType;
import io.pigateway.client.config.Simulation;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimulatedSensorsTest {
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    @Test
    void temperatureFollowsASlowSineAroundItsBase() {
        Simulation.Wave wave = new Simulation.Wave(20, 5, Duration.ofMinutes(10), 0);
        SimulatedTemperature t = new SimulatedTemperature("t", "°C", wave, clock::get, new SplittableRandom(1));
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double previous = t.read();
        for (int s = 0; s < 600; s++) {
            clock.addAndGet(1000);
            double v = t.read();
            assertTrue(Math.abs(v - previous) < 0.1, "a 10-minute sine moves slowly per second");
            min = Math.min(min, v);
            max = Math.max(max, v);
            previous = v;
        }
        assertEquals(15, min, 0.01);
        assertEquals(25, max, 0.01);
    }

    @Test
    void noiseIsAddedAroundTheBase() {
        Simulation.Wave wave = new Simulation.Wave(20, 0, Duration.ofMinutes(10), 0.5);
        SimulatedTemperature t = new SimulatedTemperature("t", "°C", wave, clock::get, new SplittableRandom(1));
        double sum = 0;
        boolean varies = false;
        double first = t.read();
        for (int i = 0; i < 1000; i++) {
            double v = t.read();
            sum += v;
            varies |= v != first;
        }
        assertTrue(varies);
        assertEquals(20, sum / 1000, 0.1);
    }

    @Test
    void humidityStaysWithinZeroAndHundred() {
        Simulation.Wave wild = new Simulation.Wave(90, 100, Duration.ofSeconds(10), 20);
        SimulatedHumidity h = new SimulatedHumidity("h", "%", wild, clock::get, new SplittableRandom(2));
        boolean hitTop = false;
        boolean hitBottom = false;
        for (int i = 0; i < 10_000; i++) {
            clock.addAndGet(7);
            double v = h.read();
            assertTrue(v >= 0 && v <= 100, "humidity " + v);
            hitTop |= v == 100;
            hitBottom |= v == 0;
        }
        assertTrue(hitTop && hitBottom, "the clamp was exercised");
    }

    @Test
    void toggleReadsZeroOrOneAndFlipsNowAndThen() {
        SimulatedToggle t = new SimulatedToggle("door", "", new Simulation.Toggle(0.1), new SplittableRandom(3));
        int flips = 0;
        double previous = t.read();
        for (int i = 0; i < 10_000; i++) {
            double v = t.read();
            assertTrue(v == 0 || v == 1);
            if (v != previous) {
                flips++;
            }
            previous = v;
        }
        assertTrue(flips > 800 && flips < 1200, "about 10 % flips: " + flips);
    }

    @Test
    void toggleWithZeroProbabilityNeverChanges() {
        SimulatedToggle t = new SimulatedToggle("door", "", new Simulation.Toggle(0), new SplittableRandom(3));
        for (int i = 0; i < 1000; i++) {
            assertEquals(0.0, t.read());
        }
    }

    @Test
    void factoryBuildsOneSimulatedSensorPerConfigEntry() {
        List<Sensor> sensors = SimulatedSensors.create(List.of(
                new SensorConfig("a", SensorType.TEMPERATURE, Duration.ofSeconds(1), "°C",
                        new Simulation.Wave(21, 2, Duration.ofMinutes(10), 0.1)),
                new SensorConfig("b", SensorType.HUMIDITY, Duration.ofSeconds(1), "%",
                        new Simulation.Wave(45, 10, Duration.ofMinutes(30), 0.5)),
                new SensorConfig("c", SensorType.TOGGLE, Duration.ofSeconds(1), "", new Simulation.Toggle(0.5))));
        assertTrue(sensors.get(0) instanceof SimulatedTemperature);
        assertTrue(sensors.get(1) instanceof SimulatedHumidity);
        assertTrue(sensors.get(2) instanceof SimulatedToggle);
        assertTrue(sensors.stream().allMatch(Sensor::simulated));
        assertEquals(List.of("a", "b", "c"), sensors.stream().map(Sensor::name).toList());
    }
}
