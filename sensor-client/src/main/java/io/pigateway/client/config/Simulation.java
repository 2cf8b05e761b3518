package io.pigateway.client.config;

import java.time.Duration;

/** The knobs of a simulated sensor; which record applies depends on the {@link SensorType}. */
public sealed interface Simulation extends SensorSettings {

    /**
     * An analogue value: a slow sine around {@code base} plus Gaussian noise.
     *
     * @param base      centre value
     * @param amplitude half the swing of the sine
     * @param period    one full sine cycle
     * @param noise     standard deviation of the noise added to each sample
     */
    record Wave(double base, double amplitude, Duration period, double noise) implements Simulation {
    }

    /** A digital input that flips with {@code flipProbability} at each sample. */
    record Toggle(double flipProbability) implements Simulation {
    }
}
