package io.pigateway.client.sensor;

import io.pigateway.client.config.SensorConfig;
import java.util.List;

/**
 * The real sensors of one client, opened together (one Pi4J context) and closed after the last read.
 * The implementation is {@code sensor.pi4j.HardwareSensors}; tests pass fakes.
 */
public interface RealSensors extends AutoCloseable {

    /**
     * Opens the hardware of one configured sensor and adds what reads it to {@code into}.
     *
     * @throws SensorStartException if the hardware cannot be opened; never falls back to a simulation
     */
    void open(SensorConfig config, SensorSet.Builder into);

    @Override
    void close();

    /** Prepares the devices for all real sensors at once, e.g. checks their device files. */
    @FunctionalInterface
    interface Opener {
        RealSensors open(List<SensorConfig> real);
    }
}
