package io.pigateway.client.sensor.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import io.pigateway.client.sensor.Sensor;
import java.io.IOException;

/**
 * A GPIO input read every interval: 1 (high) or 0 (low).
 *
 * @param kind {@code gpio.state}, or {@code gpio.edge} for the periodic state of an edge sensor
 */
public record GpioStateSensor(String name, String unit, String kind, DigitalInput input, String description)
        implements Sensor {

    @Override
    public double read() throws IOException {
        return Levels.value(Levels.high(input, description));
    }
}
