package io.pigateway.client.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Where a real sensor is connected and how it is driven; which record applies depends on the {@link SensorType}. */
public sealed interface Hardware extends SensorSettings {

    /** A Bosch BME280 or BMP280; one sample yields temperature, pressure and (BME280 only) humidity. */
    record Bme280(I2cDevice device) implements Hardware {
        public Bme280 {
            Objects.requireNonNull(device, "device");
        }
    }

    /** A ROHM BH1750 in continuous high-resolution mode. */
    record Bh1750(I2cDevice device) implements Hardware {
        public Bh1750 {
            Objects.requireNonNull(device, "device");
        }
    }

    /**
     * A TI ADS1115: one single-shot conversion per input and sample.
     *
     * @param inputs   what to convert, each one reading
     * @param gain     the programmable gain, which sets the full-scale range
     * @param dataRate samples per second: 8, 16, 32, 64, 128, 250, 475 or 860
     * @param scale    volts to the physical unit, or {@code null} to report volts
     */
    record Ads1115(I2cDevice device, List<AdcInput> inputs, AdcGain gain, int dataRate, LinearScale scale)
            implements Hardware {
        public static final List<Integer> DATA_RATES = List.of(8, 16, 32, 64, 128, 250, 475, 860);

        public Ads1115 {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(gain, "gain");
            inputs = List.copyOf(inputs);
            if (inputs.isEmpty() || inputs.size() != inputs.stream().distinct().count()) {
                throw new IllegalArgumentException("ADS1115 inputs must be one or more distinct inputs, not " + inputs);
            }
            if (!DATA_RATES.contains(dataRate)) {
                throw new IllegalArgumentException("ADS1115 data rate must be one of " + DATA_RATES + ", not "
                        + dataRate);
            }
        }
    }

    /**
     * A GPIO digital input.
     *
     * @param pin      BCM number
     * @param debounce a level counts once it has held this long; zero turns debouncing off
     */
    record GpioInput(int pin, Pull pull, Duration debounce, GpioMode mode) implements Hardware {
        public GpioInput {
            Objects.requireNonNull(pull, "pull");
            Objects.requireNonNull(mode, "mode");
            if (pin < 0 || pin > 27) {
                throw new IllegalArgumentException("BCM pin must be from 0 to 27, not " + pin);
            }
            if (debounce.isNegative()) {
                throw new IllegalArgumentException("debounce must not be negative");
            }
        }
    }

    /** An ADS1115 input: one pin against ground, or the difference between two pins. */
    enum AdcInput {
        A0, A1, A2, A3, A0_A1, A0_A3, A1_A3, A2_A3;

        /** {@code a0}, {@code a0-a1}: in the configuration and in reading names. */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The ADS1115's programmable gain; the full-scale ranges are in the driver. */
    enum AdcGain {
        TWO_THIRDS("2/3"), ONE("1"), TWO("2"), FOUR("4"), EIGHT("8"), SIXTEEN("16");

        private final String key;

        AdcGain(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** The input's internal bias resistor. */
    enum Pull {
        UP, DOWN, OFF;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a GPIO input reports. */
    enum GpioMode {
        /** 1 or 0 at each debounced change, and optionally the state every interval. */
        EDGE,
        /** The state every interval. */
        STATE,
        /** Debounced pulses counted per interval. */
        COUNTER;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
