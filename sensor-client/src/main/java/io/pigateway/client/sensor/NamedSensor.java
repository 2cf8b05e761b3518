package io.pigateway.client.sensor;

import io.pigateway.protocol.SensorInfo;
import java.util.List;

/**
 * What every hardware sensor fixes when it is opened and then only reports: its configured name, its
 * description for log lines, and the readings it yields. A subclass adds {@link PolledSensor} or
 * {@link EventSensor} and the part that talks to the hardware.
 */
public abstract class NamedSensor {
    private final String name;
    private final String description;
    private final List<SensorInfo> channels;

    protected NamedSensor(String name, String description, List<SensorInfo> channels) {
        this.name = name;
        this.description = description;
        this.channels = List.copyOf(channels);
    }

    /** The configured sensor name, for log lines. */
    public final String name() {
        return name;
    }

    /** What it is and where, for log lines. */
    public final String description() {
        return description;
    }

    /** The readings it yields, in order. */
    public final List<SensorInfo> channels() {
        return channels;
    }
}
