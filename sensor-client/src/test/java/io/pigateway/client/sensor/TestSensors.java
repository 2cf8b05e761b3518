package io.pigateway.client.sensor;

import java.io.IOException;

/** Small {@link Sensor}s for tests. */
final class TestSensors {
    private TestSensors() {
    }

    /** What a test sensor's {@link Sensor#read()} does. */
    interface Read {
        double read() throws IOException;
    }

    /** A sensor with this name, no unit and no kind, whose reads do what {@code read} does. */
    static Sensor unitless(String name, Read read) {
        return new Sensor() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String unit() {
                return "";
            }

            @Override
            public double read() throws IOException {
                return read.read();
            }
        };
    }
}
