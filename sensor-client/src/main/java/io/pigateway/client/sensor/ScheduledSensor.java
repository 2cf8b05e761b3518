package io.pigateway.client.sensor;

import java.time.Duration;
import java.util.Objects;

/** A sensor and how often to read it. */
public record ScheduledSensor(PolledSensor sensor, Duration interval) {
    public ScheduledSensor {
        Objects.requireNonNull(sensor, "sensor");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive for sensor " + sensor.name());
        }
    }
}
