package io.pigateway.client.config;

/**
 * What a sensor needs beyond name, type, interval and unit: the knobs of a simulation, or where the
 * hardware is connected. Which record applies depends on the {@link SensorType}.
 */
public sealed interface SensorSettings permits Simulation, Hardware {
}
