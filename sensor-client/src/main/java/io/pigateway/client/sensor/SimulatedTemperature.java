package io.pigateway.client.sensor;

import io.pigateway.client.config.Simulation;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/** A temperature that swings slowly around a base value, with a little noise. */
public final class SimulatedTemperature extends SimulatedSensor {
    private final WaveSignal signal;

    public SimulatedTemperature(String name, String unit, Simulation.Wave wave, LongSupplier clockMillis,
                                RandomGenerator random) {
        super(name, unit, "simulated.temperature");
        // A phase from the name keeps two simulated rooms from moving in lockstep.
        this.signal = new WaveSignal(wave, phaseOf(name), clockMillis, random);
    }

    static double phaseOf(String name) {
        return (name.hashCode() & 0xFFFF) / 65536.0 * 2 * Math.PI;
    }

    @Override
    public String description() {
        return "temperature: a slow sine with noise";
    }

    @Override
    public double read() {
        return signal.next();
    }
}
