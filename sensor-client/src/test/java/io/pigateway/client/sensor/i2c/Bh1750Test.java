package io.pigateway.client.sensor.i2c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The BH1750 driver against a register fake. Expected values from the BH1750FVI datasheet: lux =
 * counts / 1.2 in high-resolution mode, with its worked example High Byte 10000011, Low Byte 10010000
 * giving (2^15 + 2^9 + 2^8 + 2^7 + 2^4) / 1.2 ≈ 28067 lx; opcodes 0x01 (power on) and 0x10
 * (continuous high-resolution mode); at most 180 ms to the first result.
 */
class Bh1750Test {
    private final List<Long> waits = new ArrayList<>();
    private final Pause recordWaits = waits::add;

    private FakeI2C chip(int high, int low) {
        FakeI2C f = new FakeI2C(1, 0x23);
        f.rawAnswer = new byte[] {(byte) high, (byte) low};
        return f;
    }

    @Test
    void datasheetExample() throws Exception {
        FakeI2C f = chip(0b1000_0011, 0b1001_0000);
        Bh1750 chip = Bh1750.open(f, recordWaits);
        assertEquals(List.of("cmd 01", "cmd 10"), f.log, "power on, then continuous high-resolution mode");
        assertEquals(List.of(180L), waits, "waits for the first result before the first read");
        assertEquals(33680 / 1.2, chip.lux(), 1e-9);
        assertEquals(28067, chip.lux(), 0.5);
    }

    @Test
    void fullRange() throws Exception {
        assertEquals(0.0, Bh1750.open(chip(0, 0), recordWaits).lux());
        assertEquals(1 / 1.2, Bh1750.open(chip(0, 1), recordWaits).lux(), 1e-12, "one count");
        assertEquals(54612.5, Bh1750.open(chip(0xFF, 0xFF), recordWaits).lux(), 1e-9, "saturated: 65535 / 1.2");
    }

    @Test
    void aShortReadIsAnErrorNotAZero() throws Exception {
        FakeI2C f = chip(0x12, 0x34);
        Bh1750 chip = Bh1750.open(f, recordWaits);
        f.rawAnswer = new byte[] {0x12};
        IOException e = assertThrows(IOException.class, chip::lux);
        assertEquals("I2C bus 1 at 0x23: read returned 1 of 2 bytes", e.getMessage());
    }

    @Test
    void afterAFailureTheSensorStartsTheChipAgain() throws Exception {
        FakeI2C f = chip(0x00, 0x78);
        Bh1750Sensor sensor = new Bh1750Sensor("light", Bh1750.open(f, recordWaits), "I2C bus 1 (/dev/i2c-1) at 0x23");
        assertEquals(100.0, sensor.read(), 1e-9);
        f.failures = 1;
        assertThrows(IOException.class, sensor::read);
        f.log.clear();
        assertEquals(100.0, sensor.read(), 1e-9);
        assertEquals(List.of("cmd 01", "cmd 10"), f.log, "a chip that lost power comes back powered down");
        f.log.clear();
        sensor.read();
        assertEquals(List.of(), f.log, "once is enough");
        assertEquals("lx", sensor.unit());
        assertEquals("bh1750.illuminance", sensor.kind());
    }
}
