package io.pigateway.client.config;

/** The kinds of sensor the client can run; for now all of them are simulated. */
public enum SensorType {
    TEMPERATURE("°C"),
    HUMIDITY("%"),
    TOGGLE("");

    private final String defaultUnit;

    SensorType(String defaultUnit) {
        this.defaultUnit = defaultUnit;
    }

    public String defaultUnit() {
        return defaultUnit;
    }

    /** The spelling used in the configuration file. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
