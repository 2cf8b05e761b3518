package io.pigateway.client.sensor;

import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.List;

/**
 * Something the {@link Sampler} reads at an interval; one sample yields one value per channel (a
 * BME280: temperature, pressure, humidity). {@link #sample()} is called from one sampler thread at a
 * time.
 */
public interface PolledSensor {

    /** The configured sensor name, for log lines. */
    String name();

    /**
     * What it is and where, for log lines: "BME280 on I2C bus 1 (/dev/i2c-1) at 0x76". The log puts
     * REAL or SIMULATED before it.
     */
    default String description() {
        return getClass().getSimpleName();
    }

    /** True for a stand-in that makes values up; the start-up log says so, loudly. */
    default boolean simulated() {
        return false;
    }

    /** The readings one sample yields, in order; each name follows the Identifiers rule. Fixed once open. */
    List<SensorInfo> channels();

    /**
     * One value per channel. NaN or infinity is allowed and never sent; an exception means no value
     * at all from this sample (the sampler counts it, logs it once per streak and backs off).
     */
    double[] sample() throws IOException;
}
