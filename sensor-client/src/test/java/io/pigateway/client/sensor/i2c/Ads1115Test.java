package io.pigateway.client.sensor.i2c;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.Hardware.AdcGain;
import io.pigateway.client.config.Hardware.AdcInput;
import io.pigateway.client.config.I2cDevice;
import io.pigateway.client.config.LinearScale;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ADS1115 driver against a register fake that converts like the chip: a config write with OS set
 * puts the result for the selected input into the conversion register. Expected values from the
 * ADS1115 datasheet (SBAS444): full scale ±6.144/4.096/2.048/1.024/0.512/0.256 V for gains
 * 2/3..16, one count = FS / 32768, results in two's complement with 0x7FFF = +FS and 0x8000 = -FS
 * (table 3); config register bits (table 8), whose power-on default 0x8583 is AIN0-AIN1, ±2.048 V,
 * single-shot, 128 SPS, comparator off.
 */
class Ads1115Test {
    private static final Pause NO_WAIT = millis -> { };

    /** Raw results per MUX setting; a conversion copies the selected one into register 0. */
    private final Map<Integer, Integer> results = new HashMap<>();
    private final FakeI2C f = new FakeI2C(1, 0x48, 2);

    Ads1115Test() {
        f.word(Ads1115.REG_CONFIG, 0x8583);
        f.onWrite = (register, bytes) -> {
            int config = f.word(Ads1115.REG_CONFIG);
            if (register == Ads1115.REG_CONFIG && (config & Ads1115.OS) != 0) {
                f.word(Ads1115.REG_CONVERSION, results.getOrDefault(config >> 12 & 0b111, 0));
            }
        };
    }

    @Test
    void configWordPerDatasheetTable8() {
        assertEquals(0x8583, Ads1115.configWord(AdcInput.A0_A1, AdcGain.TWO, 128), "the power-on default, OS set");
        assertEquals(0xC383, Ads1115.configWord(AdcInput.A0, AdcGain.ONE, 128));
        assertEquals(0xFBE3, Ads1115.configWord(AdcInput.A3, AdcGain.SIXTEEN, 860));
        assertEquals(0x9103, Ads1115.configWord(AdcInput.A0_A3, AdcGain.TWO_THIRDS, 8));
    }

    @Test
    void fullScaleAndTwosComplementForEveryGain() throws Exception {
        Ads1115 adc = Ads1115.open(f, NO_WAIT);
        double[] fullScale = {6.144, 4.096, 2.048, 1.024, 0.512, 0.256};
        for (AdcGain gain : AdcGain.values()) {
            double fs = fullScale[gain.ordinal()];
            assertEquals(fs, Ads1115.fullScaleVolts(gain));
            results.put(0b100, 0x4000);
            assertEquals(fs / 2, adc.volts(AdcInput.A0, gain, 128), 1e-12, "half scale at gain " + gain.key());
            results.put(0b100, 0x7FFE);
            assertEquals(fs * 32766 / 32768, adc.volts(AdcInput.A0, gain, 128), 1e-12, "largest unsaturated value");
            results.put(0b100, 0xFFFF);
            assertEquals(-fs / 32768, adc.volts(AdcInput.A0, gain, 128), 1e-15, "-1 count");
            results.put(0b100, 0x8001);
            assertEquals(-fs * 32767 / 32768, adc.volts(AdcInput.A0, gain, 128), 1e-12, "most negative unsaturated");
        }
        results.put(0b100, 0x0001);
        assertEquals(7.8125e-6, adc.volts(AdcInput.A0, AdcGain.SIXTEEN, 128), 1e-15, "one count at the highest gain");
    }

    @Test
    void saturationIsAnErrorNotAValue() throws Exception {
        Ads1115 adc = Ads1115.open(f, NO_WAIT);
        results.put(0b101, 0x7FFF);
        IOException high = assertThrows(IOException.class, () -> adc.volts(AdcInput.A1, AdcGain.ONE, 128));
        assertEquals("I2C bus 1 at 0x48: input a1 is saturated (raw 0x7FFF): beyond +4.096 V, the full scale at gain 1;"
                + " use a lower gain", high.getMessage());
        results.put(0b000, 0x8000);
        IOException low = assertThrows(IOException.class, () -> adc.volts(AdcInput.A0_A1, AdcGain.SIXTEEN, 860));
        assertTrue(low.getMessage().contains("input a0-a1 is saturated (raw 0x8000): beyond -0.256 V"), low.getMessage());
    }

    @Test
    void waitsForTheConversionThenGivesUp() throws Exception {
        List<Long> waits = new ArrayList<>();
        Ads1115 adc = Ads1115.open(f, waits::add);
        results.put(0b100, 8000);
        AtomicInteger busyPolls = new AtomicInteger(2);
        f.onRead = register -> {
            if (register == Ads1115.REG_CONFIG) {
                int config = f.word(Ads1115.REG_CONFIG);
                f.word(Ads1115.REG_CONFIG, busyPolls.getAndDecrement() > 0 ? config & ~Ads1115.OS : config | Ads1115.OS);
            }
        };
        assertEquals(1.0, adc.volts(AdcInput.A0, AdcGain.ONE, 128), 1e-12);
        assertEquals(List.of(10L, 1L, 1L), waits, "1/128 s + 10 % rounded up + 1 ms, then 1 ms per busy poll");

        busyPolls.set(Integer.MAX_VALUE);
        IOException e = assertThrows(IOException.class, () -> adc.volts(AdcInput.A0, AdcGain.ONE, 8));
        assertTrue(e.getMessage().startsWith("I2C bus 1 at 0x48: conversion of a0 not finished 159 ms after the start"),
                e.getMessage());
    }

    @Test
    void theSensorScalesA4To20MilliampTransmitter() throws Exception {
        // 12 mA through a 150 Ω shunt: 1.8 V = 14400 counts of 125 µV at gain 1.
        results.put(0b100, 14400);
        results.put(0b101, 4800); // 0.6 V: 4 mA
        Hardware.Ads1115 settings = new Hardware.Ads1115(new I2cDevice(1, 0x48), List.of(AdcInput.A0, AdcInput.A1),
                AdcGain.ONE, 128, new LinearScale(0.6, 4, 3.0, 20));
        Ads1115Sensor sensor = new Ads1115Sensor("loop", Ads1115.open(f, NO_WAIT), settings, "mA", "I2C bus 1 at 0x48");
        assertEquals(List.of(new SensorInfo("loop.a0", "mA", "ads1115.scaled", false),
                new SensorInfo("loop.a1", "mA", "ads1115.scaled", false)), sensor.channels());
        assertArrayEquals(new double[] {12.0, 4.0}, sensor.sample(), 1e-9);
    }
}
