package io.pigateway.client.sensor.i2c;

import com.pi4j.io.i2c.I2C;
import io.pigateway.client.config.Hardware.AdcGain;
import io.pigateway.client.config.Hardware.AdcInput;
import java.io.IOException;

/**
 * Driver for a TI ADS1115 16-bit ADC: single-shot conversions, each with its own input, gain and
 * data rate (datasheet SBAS444, section 9.6: conversion register 0x00, config register 0x01, both
 * big-endian). Several configured sensors may share one chip: conversions are serialised here.
 *
 * <p>Config register layout, bit 15 to 0: OS (write 1: start; read 1: idle) | MUX[2:0] | PGA[2:0] |
 * MODE (1: single-shot) | DR[2:0] | COMP_MODE | COMP_POL | COMP_LAT | COMP_QUE[1:0] (11: comparator off).
 */
public final class Ads1115 extends I2cChip {
    static final int REG_CONVERSION = 0x00;
    static final int REG_CONFIG = 0x01;
    static final int OS = 1 << 15;
    static final int MODE_SINGLE_SHOT = 1 << 8;
    static final int COMPARATOR_OFF = 0b11;
    /** Polls of the OS bit after the nominal conversion time, one millisecond apart. */
    static final int POLLS = 20;

    private Ads1115(Registers registers, Pause pause) {
        super(registers, pause);
    }

    /** Checks that something answers at the address (the chip has no id register) by reading its config. */
    public static Ads1115 open(I2C i2c, Pause pause) throws IOException {
        Registers r = new Registers(i2c);
        r.readWord(REG_CONFIG);
        return new Ads1115(r, pause);
    }

    /**
     * One single-shot conversion in volts. A result at either end of the range (0x7FFF, 0x8000) means
     * the input is beyond the gain's full scale, and so is an error rather than a value.
     */
    public synchronized double volts(AdcInput input, AdcGain gain, int dataRate) throws IOException {
        int config = configWord(input, gain, dataRate);
        registers.writeWord(REG_CONFIG, config);
        pause.millis(conversionMillis(dataRate));
        int status = registers.readWord(REG_CONFIG);
        for (int i = 0; (status & OS) == 0; i++) {
            if (i == POLLS) {
                throw new IOException(registers.where() + ": conversion of " + input.key() + " not finished "
                        + (conversionMillis(dataRate) + POLLS) + " ms after the start (config register 0x01 = "
                        + String.format("0x%04X", status) + ")");
            }
            pause.millis(1);
            status = registers.readWord(REG_CONFIG);
        }
        int raw = (short) registers.readWord(REG_CONVERSION);
        double fullScale = fullScaleVolts(gain);
        if (raw == Short.MAX_VALUE || raw == Short.MIN_VALUE) {
            throw new IOException(registers.where() + ": input " + input.key() + " is saturated (raw "
                    + String.format("0x%04X", raw & 0xFFFF) + "): beyond " + (raw > 0 ? "+" : "-") + fullScale
                    + " V, the full scale at gain " + gain.key() + "; use a lower gain");
        }
        return raw * fullScale / 32768.0;
    }

    /** The config word that starts one single-shot conversion. */
    static int configWord(AdcInput input, AdcGain gain, int dataRate) {
        return OS | mux(input) << 12 | pga(gain) << 9 | MODE_SINGLE_SHOT | dr(dataRate) << 5 | COMPARATOR_OFF;
    }

    /** Datasheet table 8: MUX[2:0]. */
    static int mux(AdcInput input) {
        return switch (input) {
            case A0_A1 -> 0b000;
            case A0_A3 -> 0b001;
            case A1_A3 -> 0b010;
            case A2_A3 -> 0b011;
            case A0 -> 0b100;
            case A1 -> 0b101;
            case A2 -> 0b110;
            case A3 -> 0b111;
        };
    }

    /** Datasheet table 8: PGA[2:0]. */
    static int pga(AdcGain gain) {
        return switch (gain) {
            case TWO_THIRDS -> 0b000;
            case ONE -> 0b001;
            case TWO -> 0b010;
            case FOUR -> 0b011;
            case EIGHT -> 0b100;
            case SIXTEEN -> 0b101;
        };
    }

    /** Datasheet table 3: the full-scale range ±FSR per gain; one count is FSR / 32768. */
    public static double fullScaleVolts(AdcGain gain) {
        return switch (gain) {
            case TWO_THIRDS -> 6.144;
            case ONE -> 4.096;
            case TWO -> 2.048;
            case FOUR -> 1.024;
            case EIGHT -> 0.512;
            case SIXTEEN -> 0.256;
        };
    }

    /** Datasheet table 8: DR[2:0] for 8, 16, 32, 64, 128, 250, 475, 860 samples per second. */
    static int dr(int dataRate) {
        return switch (dataRate) {
            case 8 -> 0b000;
            case 16 -> 0b001;
            case 32 -> 0b010;
            case 64 -> 0b011;
            case 128 -> 0b100;
            case 250 -> 0b101;
            case 475 -> 0b110;
            case 860 -> 0b111;
            default -> throw new IllegalArgumentException("ADS1115 data rate must be 8, 16, 32, 64, 128, 250, 475"
                    + " or 860, not " + dataRate);
        };
    }

    /** One conversion period plus the oscillator's 10 % tolerance, rounded up, plus a millisecond to wake up. */
    static long conversionMillis(int dataRate) {
        return (long) Math.ceil(1000.0 * 1.1 / dataRate) + 1;
    }
}
