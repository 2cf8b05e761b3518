package io.pigateway.client.config;

import io.pigateway.protocol.Identifiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One configured sensor.
 *
 * @param interval time between two periodic samples; {@link Duration#ZERO} only for a gpio-input in
 *                 edge mode without periodic state readings
 * @param unit     of its readings, announced to the gateway; a BME280's units are fixed per reading
 *                 (°C, hPa, %RH) and this is empty
 * @param settings simulation knobs, or where the hardware is connected
 */
public record SensorConfig(String name, SensorType type, Duration interval, String unit, SensorSettings settings) {
    public SensorConfig {
        Identifiers.require("sensor name", name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(settings, "settings");
        boolean fits = switch (type) {
            case TEMPERATURE, HUMIDITY -> settings instanceof Simulation.Wave;
            case TOGGLE -> settings instanceof Simulation.Toggle;
            case BME280 -> settings instanceof Hardware.Bme280;
            case BH1750 -> settings instanceof Hardware.Bh1750;
            case ADS1115 -> settings instanceof Hardware.Ads1115;
            case GPIO_INPUT -> settings instanceof Hardware.GpioInput;
        };
        if (!fits) {
            throw new IllegalArgumentException("sensor " + name + ": a " + type.key() + " sensor cannot use " + settings);
        }
        boolean edgeOnly = settings instanceof Hardware.GpioInput g && g.mode() == Hardware.GpioMode.EDGE;
        if (interval.isNegative() || (interval.isZero() && !edgeOnly)) {
            throw new IllegalArgumentException("sensor " + name + ": interval must be positive");
        }
        for (String reading : readingNames(name, settings)) {
            Identifiers.require("reading name", reading);
        }
    }

    /**
     * The names its readings carry: the sensor's own name, or {@code name.temperature},
     * {@code name.pressure}, {@code name.humidity} for a BME280 (no humidity on a BMP280), and
     * {@code name.a0}, {@code name.a0-a1}, ... for the inputs of an ADS1115.
     */
    public List<String> readingNames() {
        return readingNames(name, settings);
    }

    public boolean simulated() {
        return type.simulated();
    }

    static List<String> readingNames(String name, SensorSettings settings) {
        List<String> names = new ArrayList<>();
        switch (settings) {
            case Hardware.Bme280 b -> {
                names.add(name + ".temperature");
                names.add(name + ".pressure");
                names.add(name + ".humidity");
            }
            case Hardware.Ads1115 a -> a.inputs().forEach(i -> names.add(name + "." + i.key()));
            default -> names.add(name);
        }
        return names;
    }
}
