package io.pigateway.client.config;

import java.util.Locale;

/**
 * The kinds of sensor the client can run: three simulated stand-ins for machines without a Pi, and
 * the real sensors read through Pi4J.
 */
public enum SensorType {
    TEMPERATURE("°C", true),
    HUMIDITY("%", true),
    TOGGLE("", true),
    /** Bosch BME280 (or BMP280) on I2C: temperature, pressure and, on a BME280, humidity. */
    BME280("", false),
    /** ROHM BH1750 ambient light sensor on I2C, in lux. */
    BH1750("lx", false),
    /** TI ADS1115 16-bit ADC on I2C: volts, or a value scaled linearly from volts. */
    ADS1115("V", false),
    /** A GPIO digital input: edges, periodic state or a pulse count. */
    GPIO_INPUT("", false);

    private final String defaultUnit;
    private final boolean simulated;

    SensorType(String defaultUnit, boolean simulated) {
        this.defaultUnit = defaultUnit;
        this.simulated = simulated;
    }

    public String defaultUnit() {
        return defaultUnit;
    }

    /** True for the stand-ins that make their values up. */
    public boolean simulated() {
        return simulated;
    }

    /** The spelling used in the configuration file, e.g. {@code gpio-input}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every spelling, for error messages: "temperature, humidity, ..., gpio-input". */
    public static String keys() {
        StringBuilder b = new StringBuilder();
        for (SensorType t : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(t.key());
        }
        return b.toString();
    }
}
