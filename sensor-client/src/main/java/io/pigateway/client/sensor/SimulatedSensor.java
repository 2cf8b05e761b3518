package io.pigateway.client.sensor;

/** What the simulated sensors share: a name, a unit and a kind, announced as simulated. */
abstract class SimulatedSensor implements Sensor {
    private final String name;
    private final String unit;
    private final String kind;

    SimulatedSensor(String name, String unit, String kind) {
        this.name = name;
        this.unit = unit;
        this.kind = kind;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String unit() {
        return unit;
    }

    @Override
    public final boolean simulated() {
        return true;
    }

    @Override
    public final String kind() {
        return kind;
    }
}
