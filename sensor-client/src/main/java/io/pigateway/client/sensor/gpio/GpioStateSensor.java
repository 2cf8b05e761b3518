package io.pigateway.client.sensor.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import io.pigateway.client.sensor.Sensor;
import java.io.IOException;

/** A GPIO input read every interval: 1 (high) or 0 (low). */
public final class GpioStateSensor implements Sensor {
    private final String name;
    private final String unit;
    private final String kind;
    private final DigitalInput input;
    private final String description;

    /** @param kind {@code gpio.state}, or {@code gpio.edge} for the periodic state of an edge sensor */
    public GpioStateSensor(String name, String unit, String kind, DigitalInput input, String description) {
        this.name = name;
        this.unit = unit;
        this.kind = kind;
        this.input = input;
        this.description = description;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unit() {
        return unit;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public double read() throws IOException {
        return Levels.value(Levels.high(input, description));
    }
}
