package io.pigateway.client.sensor;

import io.pigateway.client.config.Simulation;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/** base + amplitude·sin(2π·t/period + phase) + Gaussian noise: a plausible slowly drifting value. */
final class WaveSignal {
    private final Simulation.Wave wave;
    private final double phase;
    private final LongSupplier clockMillis;
    private final RandomGenerator random;

    WaveSignal(Simulation.Wave wave, double phase, LongSupplier clockMillis, RandomGenerator random) {
        this.wave = wave;
        this.phase = phase;
        this.clockMillis = clockMillis;
        this.random = random;
    }

    synchronized double next() {
        double t = (double) clockMillis.getAsLong() / wave.period().toMillis();
        return wave.base() + wave.amplitude() * Math.sin(2 * Math.PI * t + phase) + wave.noise() * random.nextGaussian();
    }
}
