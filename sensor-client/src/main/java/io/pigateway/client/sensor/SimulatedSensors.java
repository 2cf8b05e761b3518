package io.pigateway.client.sensor;

import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.config.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Builds the simulated sensor for each configured one. */
public final class SimulatedSensors {
    private SimulatedSensors() {
    }

    /** One sensor per configuration; each must be of a simulated type. */
    public static List<Sensor> create(List<SensorConfig> configs) {
        SplittableRandom seeds = new SplittableRandom();
        List<Sensor> sensors = new ArrayList<>();
        for (SensorConfig c : configs) {
            // Each sensor gets its own generator: they are read from different threads.
            sensors.add(create(c, seeds.split()));
        }
        return sensors;
    }

    static Sensor create(SensorConfig c, SplittableRandom random) {
        return switch (c.settings()) {
            case Simulation.Wave w -> switch (c.type()) {
                case HUMIDITY -> new SimulatedHumidity(c.name(), c.unit(), w, System::currentTimeMillis, random);
                default -> new SimulatedTemperature(c.name(), c.unit(), w, System::currentTimeMillis, random);
            };
            case Simulation.Toggle t -> new SimulatedToggle(c.name(), c.unit(), t, random);
            default -> throw new IllegalArgumentException("sensor " + c.name() + " is a real " + c.type().key()
                    + " sensor, not a simulated one");
        };
    }
}
