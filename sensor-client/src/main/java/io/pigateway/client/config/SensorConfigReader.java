package io.pigateway.client.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.protocol.Identifiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The {@code sensor.<name>.<property>} keys of one sensor: reads and validates them
 * ({@link #read}), writes them back ({@link #describe}) and checks the sensors against each other
 * ({@link #checkConflicts}). Each type reads only its own properties, so a property of another type
 * is an unknown key.
 */
final class SensorConfigReader {
    static final String PREFIX = "sensor.";

    private static final List<Integer> BME280_ADDRESSES = List.of(0x76, 0x77);
    private static final List<Integer> BH1750_ADDRESSES = List.of(0x23, 0x5C);
    private static final List<Integer> ADS1115_ADDRESSES = List.of(0x48, 0x49, 0x4A, 0x4B);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_INTERVAL = Duration.ofHours(24);

    private SensorConfigReader() {
    }

    static SensorConfig read(Settings s, String name) throws ConfigException {
        String p = PREFIX + name + ".";
        SensorType type = s.choice(p + "type", SensorType.class, null);
        if (type == null) {
            throw new ConfigException(s.source() + ": key '" + p + "type' is required but missing"
                    + " (other keys for sensor '" + name + "' exist; type is one of " + SensorType.keys() + ")");
        }
        String problem = Identifiers.problem("sensor name", name);
        if (problem != null) {
            throw new ConfigException(s.source() + ": key '" + p + "type' names sensor '" + name + "', which is invalid: "
                    + problem);
        }
        return switch (type) {
            case TEMPERATURE -> simulated(s, p, name, type, new Simulation.Wave(
                    Decimals.in(s, p + "base", 21.0, -100, 200),
                    Decimals.in(s, p + "amplitude", 2.0, 0, 100),
                    s.duration(p + "period", Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(7)),
                    Decimals.in(s, p + "noise", 0.1, 0, 50)));
            case HUMIDITY -> simulated(s, p, name, type, new Simulation.Wave(
                    Decimals.in(s, p + "base", 45.0, 0, 100),
                    Decimals.in(s, p + "amplitude", 10.0, 0, 100),
                    s.duration(p + "period", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofDays(7)),
                    Decimals.in(s, p + "noise", 0.5, 0, 50)));
            case TOGGLE -> simulated(s, p, name, type,
                    new Simulation.Toggle(Decimals.in(s, p + "flip-probability", 0.1, 0, 1)));
            case BME280 -> config(s, p, name, type, interval(s, p, Duration.ofSeconds(1)), type.defaultUnit(),
                    new Hardware.Bme280(i2c(s, p, BME280_ADDRESSES, "SDO to GND: 0x76, SDO to 3.3 V: 0x77")));
            case BH1750 -> config(s, p, name, type, interval(s, p, Duration.ofSeconds(1)), type.defaultUnit(),
                    new Hardware.Bh1750(i2c(s, p, BH1750_ADDRESSES, "ADDR low: 0x23, ADDR high: 0x5C")));
            case ADS1115 -> ads1115(s, p, name);
            case GPIO_INPUT -> gpioInput(s, p, name);
        };
    }

    private static SensorConfig simulated(Settings s, String p, String name, SensorType type, Simulation sim)
            throws ConfigException {
        return config(s, p, name, type, interval(s, p, Duration.ofSeconds(1)), unit(s, p, type.defaultUnit()), sim);
    }

    private static Duration interval(Settings s, String p, Duration fallback) throws ConfigException {
        return s.duration(p + "interval", fallback, MIN_INTERVAL, MAX_INTERVAL);
    }

    private static String unit(Settings s, String p, String fallback) throws ConfigException {
        String unit = s.string(p + "unit", fallback);
        if (unit != null && unit.length() > 16) {
            throw s.invalid(p + "unit", unit, "must be at most 16 characters");
        }
        return unit;
    }

    private static I2cDevice i2c(Settings s, String p, List<Integer> addresses, String wiring) throws ConfigException {
        int bus = s.intIn(p + "bus", 1, 0, 255);
        String raw = s.string(p + "address", null);
        int address = raw == null ? addresses.getFirst() : address(s, p + "address", raw, addresses, wiring);
        return new I2cDevice(bus, address);
    }

    private static int address(Settings s, String key, String raw, List<Integer> allowed, String wiring)
            throws ConfigException {
        List<String> hex = allowed.stream().map(I2cDevice::hex).toList();
        String rule = "must be " + String.join(", ", hex.subList(0, hex.size() - 1)) + " or " + hex.getLast()
                + " (" + wiring + ")";
        String v = raw.toLowerCase(Locale.ROOT);
        int address;
        try {
            address = v.startsWith("0x") ? Integer.parseInt(v.substring(2), 16) : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw s.invalid(key, raw, rule);
        }
        if (!allowed.contains(address)) {
            throw s.invalid(key, raw, rule);
        }
        return address;
    }

    private static SensorConfig ads1115(Settings s, String p, String name) throws ConfigException {
        I2cDevice device = i2c(s, p, ADS1115_ADDRESSES, "ADDR to GND: 0x48, VDD: 0x49, SDA: 0x4A, SCL: 0x4B");
        List<Hardware.AdcInput> inputs = new ArrayList<>();
        String rawInputs = s.string(p + "channels", "a0");
        for (String item : s.list(p + "channels", List.of("a0"))) {
            Hardware.AdcInput input = null;
            for (Hardware.AdcInput i : Hardware.AdcInput.values()) {
                if (i.key().equalsIgnoreCase(item)) {
                    input = i;
                }
            }
            if (input == null || inputs.contains(input)) {
                throw s.invalid(p + "channels", rawInputs, "must list distinct inputs from a0, a1, a2, a3 (against GND)"
                        + " and a0-a1, a0-a3, a1-a3, a2-a3 (differential)");
            }
            inputs.add(input);
        }
        if (inputs.isEmpty()) {
            throw s.invalid(p + "channels", rawInputs, "must list at least one input, e.g. a0");
        }
        String rawGain = s.string(p + "gain", "1");
        Hardware.AdcGain gain = null;
        for (Hardware.AdcGain g : Hardware.AdcGain.values()) {
            if (g.key().equals(rawGain.replace(" ", ""))) {
                gain = g;
            }
        }
        if (gain == null) {
            throw s.invalid(p + "gain", rawGain, "must be one of 2/3, 1, 2, 4, 8, 16 (full scale ±6.144, ±4.096,"
                    + " ±2.048, ±1.024, ±0.512, ±0.256 V)");
        }
        int dataRate = s.intIn(p + "data-rate", 128, 8, 860);
        if (!Hardware.Ads1115.DATA_RATES.contains(dataRate)) {
            throw s.invalid(p + "data-rate", Integer.toString(dataRate), "must be one of 8, 16, 32, 64, 128, 250,"
                    + " 475, 860 (samples per second)");
        }
        LinearScale scale = scale(s, p + "scale");
        String unit = unit(s, p, scale == null ? SensorType.ADS1115.defaultUnit() : null);
        if (unit == null) {
            throw new ConfigException(s.source() + ": key '" + p + "unit' is required with '" + p + "scale': the unit"
                    + " of the scaled value, e.g. mA or bar");
        }
        return config(s, p, name, SensorType.ADS1115, interval(s, p, Duration.ofSeconds(1)), unit,
                new Hardware.Ads1115(device, inputs, gain, dataRate, scale));
    }

    private static LinearScale scale(Settings s, String key) throws ConfigException {
        String raw = s.string(key, null);
        if (raw == null) {
            return null;
        }
        String rule = "must be two points volts:value, e.g. 0.6:4, 3.0:20 (4-20 mA across 150 ohms, in mA),"
                + " with two different voltages";
        List<String> points = s.list(key, List.of());
        if (points.size() != 2) {
            throw s.invalid(key, raw, rule);
        }
        double[] v = new double[4];
        for (int i = 0; i < 2; i++) {
            String[] xy = points.get(i).split(":", -1);
            if (xy.length != 2) {
                throw s.invalid(key, raw, rule);
            }
            for (int j = 0; j < 2; j++) {
                try {
                    v[2 * i + j] = Double.parseDouble(xy[j].trim());
                } catch (NumberFormatException e) {
                    throw s.invalid(key, raw, rule);
                }
            }
        }
        try {
            return new LinearScale(v[0], v[1], v[2], v[3]);
        } catch (IllegalArgumentException e) {
            throw s.invalid(key, raw, rule);
        }
    }

    private static SensorConfig gpioInput(Settings s, String p, String name) throws ConfigException {
        String rawPin = s.string(p + "pin", null);
        if (rawPin == null) {
            throw new ConfigException(s.source() + ": key '" + p + "pin' is required for a gpio-input: its BCM"
                    + " number, 0 to 27 (GPIO17 is header pin 11)");
        }
        int pin = s.intIn(p + "pin", 0, 0, 27);
        Hardware.Pull pull = s.choice(p + "pull", Hardware.Pull.class, null);
        if (pull == null) {
            throw new ConfigException(s.source() + ": key '" + p + "pull' is required for a gpio-input: up (a switch"
                    + " to GND), down (a switch to 3.3 V) or off (a sensor that drives the line, or external resistors)");
        }
        Duration debounce = s.duration(p + "debounce", Duration.ofMillis(10), Duration.ZERO, Duration.ofSeconds(10));
        Hardware.GpioMode mode = s.choice(p + "mode", Hardware.GpioMode.class, Hardware.GpioMode.EDGE);
        Duration interval = interval(s, p, mode == Hardware.GpioMode.EDGE ? Duration.ZERO : Duration.ofSeconds(1));
        String unit = unit(s, p, mode == Hardware.GpioMode.COUNTER ? "pulses" : "");
        return config(s, p, name, SensorType.GPIO_INPUT, interval, unit,
                new Hardware.GpioInput(pin, pull, debounce, mode));
    }

    /** A SensorConfig, after checking the names of its readings, which the sensor name is part of. */
    private static SensorConfig config(Settings s, String p, String name, SensorType type, Duration interval,
                                       String unit, SensorSettings settings) throws ConfigException {
        for (String reading : SensorConfig.readingNames(name, settings)) {
            String problem = Identifiers.problem("reading name", reading);
            if (problem != null) {
                throw new ConfigException(s.source() + ": key '" + p + "type' gives sensor '" + name
                        + "' a reading named '" + reading + "', which is invalid: " + problem);
            }
        }
        return new SensorConfig(name, type, interval, unit, settings);
    }

    /**
     * Two sensors on one GPIO pin, or on one I2C address (except ADS1115 inputs, which share the
     * chip), or a GPIO input on the pins of I2C bus 1 while that bus is in use.
     */
    static void checkConflicts(String source, List<SensorConfig> sensors) throws ConfigException {
        Map<Integer, SensorConfig> pins = new HashMap<>();
        Map<I2cDevice, SensorConfig> addresses = new HashMap<>();
        SensorConfig bus1 = null;
        for (SensorConfig c : sensors) {
            switch (c.settings()) {
                case Hardware.GpioInput g -> {
                    SensorConfig other = pins.putIfAbsent(g.pin(), c);
                    if (other != null) {
                        throw new ConfigException(source + ": sensors '" + other.name() + "' and '" + c.name()
                                + "' both use GPIO" + g.pin());
                    }
                }
                default -> {
                    I2cDevice device = i2cDevice(c);
                    if (device != null) {
                        SensorConfig other = addresses.putIfAbsent(device, c);
                        if (other != null && !(other.type() == SensorType.ADS1115 && c.type() == SensorType.ADS1115)) {
                            throw new ConfigException(source + ": sensors '" + other.name() + "' and '" + c.name()
                                    + "' both use " + device);
                        }
                        if (device.bus() == 1 && bus1 == null) {
                            bus1 = c;
                        }
                    }
                }
            }
        }
        for (int pin : new int[] {2, 3}) {
            if (bus1 != null && pins.containsKey(pin)) {
                throw new ConfigException(source + ": sensor '" + pins.get(pin).name() + "' uses GPIO" + pin
                        + ", which is " + (pin == 2 ? "SDA" : "SCL") + " of I2C bus 1, and sensor '" + bus1.name() + "' uses that bus");
            }
        }
    }

    private static I2cDevice i2cDevice(SensorConfig c) {
        return switch (c.settings()) {
            case Hardware.Bme280 b -> b.device();
            case Hardware.Bh1750 b -> b.device();
            case Hardware.Ads1115 a -> a.device();
            default -> null;
        };
    }

    /** Every effective value of one sensor, as {@code key, value} pairs that read back to the same config. */
    static void describe(SensorConfig sc, BiConsumer<String, String> line) {
        String p = PREFIX + sc.name() + ".";
        line.accept(p + "type", sc.type().key());
        if (!sc.interval().isZero()) {
            line.accept(p + "interval", Settings.format(sc.interval()));
        }
        switch (sc.settings()) {
            case Simulation.Wave w -> {
                line.accept(p + "unit", sc.unit());
                line.accept(p + "base", Decimals.plain(w.base()));
                line.accept(p + "amplitude", Decimals.plain(w.amplitude()));
                line.accept(p + "period", Settings.format(w.period()));
                line.accept(p + "noise", Decimals.plain(w.noise()));
            }
            case Simulation.Toggle t -> {
                line.accept(p + "unit", sc.unit());
                line.accept(p + "flip-probability", Decimals.plain(t.flipProbability()));
            }
            case Hardware.Bme280 b -> i2cLines(p, b.device(), line);
            case Hardware.Bh1750 b -> i2cLines(p, b.device(), line);
            case Hardware.Ads1115 a -> {
                line.accept(p + "unit", sc.unit());
                i2cLines(p, a.device(), line);
                line.accept(p + "channels", String.join(", ", a.inputs().stream().map(Hardware.AdcInput::key).toList()));
                line.accept(p + "gain", a.gain().key());
                line.accept(p + "data-rate", Integer.toString(a.dataRate()));
                if (a.scale() != null) {
                    LinearScale sc2 = a.scale();
                    line.accept(p + "scale", Decimals.plain(sc2.x1()) + ":" + Decimals.plain(sc2.y1()) + ", "
                            + Decimals.plain(sc2.x2()) + ":" + Decimals.plain(sc2.y2()));
                }
            }
            case Hardware.GpioInput g -> {
                line.accept(p + "unit", sc.unit());
                line.accept(p + "pin", Integer.toString(g.pin()));
                line.accept(p + "pull", g.pull().key());
                line.accept(p + "debounce", Settings.format(g.debounce()));
                line.accept(p + "mode", g.mode().key());
            }
        }
    }

    private static void i2cLines(String p, I2cDevice d, BiConsumer<String, String> line) {
        line.accept(p + "bus", Integer.toString(d.bus()));
        line.accept(p + "address", I2cDevice.hex(d.address()));
    }
}
