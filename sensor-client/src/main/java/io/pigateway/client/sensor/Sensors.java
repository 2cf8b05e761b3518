package io.pigateway.client.sensor;

import io.pigateway.client.config.SensorConfig;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Opens the configured sensors: simulated ones are made up here, real ones are opened through
 * {@link RealSensors}, which is only created (and Pi4J only started) when at least one real sensor
 * is configured. A real sensor that cannot be opened stops the start-up with a
 * {@link SensorStartException}; it is never replaced by a simulation.
 */
public final class Sensors {
    private Sensors() {
    }

    public static SensorSet open(List<SensorConfig> configs, RealSensors.Opener hardware) {
        List<SensorConfig> real = configs.stream().filter(c -> !c.simulated()).toList();
        SensorSet.Builder b = SensorSet.builder();
        RealSensors opened = real.isEmpty() ? null : hardware.open(real);
        if (opened != null) {
            b.onClose(opened);
        }
        SplittableRandom seeds = new SplittableRandom();
        try {
            for (SensorConfig c : configs) {
                if (c.simulated()) {
                    // Each sensor gets its own generator: they are read from different threads.
                    b.add(new ScheduledSensor(SimulatedSensors.create(c, seeds.split()), c.interval()));
                } else {
                    opened.open(c, b);
                }
            }
            return b.build();
        } catch (RuntimeException e) {
            b.closeAll();
            throw e;
        }
    }
}
