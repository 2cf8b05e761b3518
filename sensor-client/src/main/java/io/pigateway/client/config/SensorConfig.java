package io.pigateway.client.config;

import io.pigateway.protocol.Identifiers;
import java.time.Duration;
import java.util.Objects;

/**
 * One configured sensor.
 *
 * @param unit shown in log lines only; the wire format carries no unit (the gateway's sensor table does)
 */
public record SensorConfig(String name, SensorType type, Duration interval, String unit, Simulation simulation) {
    public SensorConfig {
        Identifiers.require("sensor name", name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(simulation, "simulation");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("sensor " + name + ": interval must be positive");
        }
        boolean fits = type == SensorType.TOGGLE ? simulation instanceof Simulation.Toggle
                : simulation instanceof Simulation.Wave;
        if (!fits) {
            throw new IllegalArgumentException("sensor " + name + ": a " + type.key() + " sensor cannot use " + simulation);
        }
    }
}
