package io.pigateway.client.sensor;

import io.pigateway.client.config.Simulation;
import java.util.random.RandomGenerator;

/** A digital input (door contact, button): 0 or 1, flipping now and then. */
public final class SimulatedToggle extends SimulatedSensor {
    private final double flipProbability;
    private final RandomGenerator random;
    private boolean on;

    public SimulatedToggle(String name, String unit, Simulation.Toggle toggle, RandomGenerator random) {
        super(name, unit, "simulated.toggle");
        this.flipProbability = toggle.flipProbability();
        this.random = random;
    }

    @Override
    public String description() {
        return "toggle: flips at random";
    }

    @Override
    public synchronized double read() {
        if (random.nextDouble() < flipProbability) {
            on = !on;
        }
        return on ? 1.0 : 0.0;
    }
}
