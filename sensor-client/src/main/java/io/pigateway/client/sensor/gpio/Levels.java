package io.pigateway.client.sensor.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import java.io.IOException;

/** Pi4J's {@link DigitalState} as the 1 and 0 of a reading. */
final class Levels {
    private Levels() {
    }

    static boolean high(DigitalInput input, String where) throws IOException {
        DigitalState state;
        try {
            state = input.state();
        } catch (RuntimeException e) {
            throw new IOException(where + ": reading the line failed: " + e, e);
        }
        return switch (state) {
            case HIGH -> true;
            case LOW -> false;
            default -> throw new IOException(where + ": the line's state is " + state);
        };
    }

    /** A listener that hands each HIGH or LOW change of the line to {@code debouncer}. */
    static DigitalStateChangeListener edgesTo(Debouncer debouncer) {
        return event -> {
            if (event.state() == DigitalState.HIGH || event.state() == DigitalState.LOW) {
                debouncer.edge(event.state() == DigitalState.HIGH);
            }
        };
    }

    static double value(boolean high) {
        return high ? 1.0 : 0.0;
    }
}
