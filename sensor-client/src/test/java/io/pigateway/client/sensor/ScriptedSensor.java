package io.pigateway.client.sensor;

import java.io.IOException;

/** A test sensor without a unit whose read() does whatever the test says. */
record ScriptedSensor(String name, Reader reader) implements Sensor {
    interface Reader {
        double read() throws IOException;
    }

    @Override
    public String unit() {
        return "";
    }

    @Override
    public String description() {
        return "scripted";
    }

    @Override
    public double read() throws IOException {
        return reader.read();
    }
}
