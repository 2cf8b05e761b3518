package io.pigateway.client.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.I2cDevice;
import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.config.SensorType;
import io.pigateway.client.config.Simulation;
import io.pigateway.protocol.SensorInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Which sensors are real, which simulated, and that a real one that cannot open is never replaced by a simulation. */
class SensorsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final SensorConfig TEMP = new SensorConfig("temp", SensorType.TEMPERATURE, SECOND, "°C",
            new Simulation.Wave(21, 2, Duration.ofMinutes(10), 0.1));
    private static final SensorConfig DOOR = new SensorConfig("door", SensorType.TOGGLE, SECOND, "",
            new Simulation.Toggle(0.1));
    private static final SensorConfig AIR = new SensorConfig("air", SensorType.BME280, SECOND, "",
            new Hardware.Bme280(new I2cDevice(1, 0x76)));

    @Test
    void simulatedSensorsOnlyNeverTouchTheHardware() {
        try (SensorSet set = Sensors.open(List.of(TEMP, DOOR), real -> fail("no real sensor is configured"))) {
            assertEquals(List.of(new SensorInfo("temp", "°C", "simulated.temperature", true),
                    new SensorInfo("door", "", "simulated.toggle", true)), set.announcements());
        }
    }

    @Test
    void aRealSensorThatCannotOpenStopsTheStartWithoutFallback() {
        SensorStartException cause = new SensorStartException("/dev/i2c-1 does not exist");
        SensorStartException e = assertThrows(SensorStartException.class, () -> Sensors.open(List.of(TEMP, AIR),
                real -> {
                    assertEquals(List.of(AIR), real, "only the real ones go to the hardware");
                    throw cause;
                }));
        assertSame(cause, e);
    }

    @Test
    void aFailureHalfWayClosesWhatWasOpened() {
        AtomicBoolean closed = new AtomicBoolean();
        RealSensors failing = new RealSensors() {
            @Override
            public void open(SensorConfig config, SensorSet.Builder into) {
                throw new SensorStartException("sensor air: the BME280 on I2C bus 1 (/dev/i2c-1) at 0x76 could not be"
                        + " opened");
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        assertThrows(SensorStartException.class, () -> Sensors.open(List.of(TEMP, AIR), real -> failing));
        assertTrue(closed.get());
    }

    @Test
    void readingNamesMustBeUniqueExceptAnEventAndAPolledSensorSharingOne() {
        SensorSet.Builder b = SensorSet.builder();
        Sensor s = new ScriptedSensor("door", () -> 0);
        b.add(new ScheduledSensor(s, SECOND));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.add(new ScheduledSensor(s, SECOND)));
        assertEquals("two sensors are named door", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SensorSet.builder().build(), "no sensors");
    }
}
