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

    public static List<Sensor> create(List<SensorConfig> configs) {
        SplittableRandom seeds = new SplittableRandom();
        List<Sensor> sensors = new ArrayList<>();
        for (SensorConfig c : configs) {
            // Each sensor gets its own generator: they are read from different threads.
            SplittableRandom random = seeds.split();
            sensors.add(switch (c.simulation()) {
                case Simulation.Wave w -> switch (c.type()) {
                    case HUMIDITY -> new SimulatedHumidity(c.name(), c.unit(), w, System::currentTimeMillis, random);
                    default -> new SimulatedTemperature(c.name(), c.unit(), w, System::currentTimeMillis, random);
                };
                case Simulation.Toggle t -> new SimulatedToggle(c.name(), c.unit(), t, random);
            });
        }
        return sensors;
    }
}
