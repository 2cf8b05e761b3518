package io.pigateway.client.sensor;

import io.pigateway.client.config.Simulation;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/** Relative humidity: like the temperature signal, but clamped to the physical 0–100 %. */
public final class SimulatedHumidity extends SimulatedSensor {
    private final WaveSignal signal;

    public SimulatedHumidity(String name, String unit, Simulation.Wave wave, LongSupplier clockMillis,
                             RandomGenerator random) {
        super(name, unit, "simulated.humidity");
        this.signal = new WaveSignal(wave, SimulatedTemperature.phaseOf(name), clockMillis, random);
    }

    @Override
    public String description() {
        return "humidity: a slow sine with noise, within 0-100";
    }

    @Override
    public double read() {
        return Math.clamp(signal.next(), 0.0, 100.0);
    }
}
