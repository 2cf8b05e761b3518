package io.pigateway.client.sensor.pi4j;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.i2c.I2C;
import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.I2cDevice;

/**
 * Where the real sensors get their Pi4J I/O: {@link Pi4jIo} on a Pi, mock providers and register
 * fakes in tests. Failures are {@link io.pigateway.client.sensor.SensorStartException}s that say which
 * device and what to do.
 */
public interface PiIo extends AutoCloseable {

    /** A GPIO input, BCM numbering, with the kernel's debouncing off (the sensors debounce themselves). */
    DigitalInput digitalInput(String id, int bcmPin, Hardware.Pull pull);

    I2C i2c(String id, I2cDevice device);

    /** Shuts Pi4J down: releases the GPIO lines, closes the I2C buses. */
    @Override
    void close();
}
