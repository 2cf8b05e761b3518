package io.pigateway.client.sensor.i2c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The BME280/BMP280 driver against a register fake. Where the expected numbers come from:
 * <ul>
 *   <li>The BMP280 datasheet's worked example (BST-BMP280-DS001, section 3.12, "Calculating pressure
 *       and temperature"): its calibration and ADC values must give 25.08 °C (t_fine 128422) and
 *       100653.27 Pa; the BME280 uses the same temperature and pressure formulas.</li>
 *   <li>Everything else: the datasheet's integer formulas (BST-BME280-DS002 section 4.2.3) applied
 *       independently, in a separate Python script, to the calibration sets below; and, as a second
 *       check, the datasheet's double-precision formulas (section 8.1), written out again in
 *       {@link #floatingPoint} here, which must agree within rounding.</li>
 * </ul>
 */
class Bme280Test {
    /** The BMP280 datasheet's example calibration, and humidity trimming typical of a real BME280. */
    static final Bme280Calibration DATASHEET = new Bme280Calibration(27504, 26435, -1000,
            36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
            75, 362, 2, 324, 40, 30);

    private static final Pause NO_WAIT = millis -> { };

    /** A chip with the given id, calibration and ADC results, idle (status 0). */
    static FakeI2C chip(int chipId, Bme280Calibration c, int adcT, int adcP, int adcH) {
        FakeI2C f = new FakeI2C(1, 0x76);
        f.set(Bme280.REG_CHIP_ID, chipId);
        f.set(0x88, le(c.t1()), le(c.t1() >> 8), le(c.t2()), le(c.t2() >> 8), le(c.t3()), le(c.t3() >> 8),
                le(c.p1()), le(c.p1() >> 8), le(c.p2()), le(c.p2() >> 8), le(c.p3()), le(c.p3() >> 8),
                le(c.p4()), le(c.p4() >> 8), le(c.p5()), le(c.p5() >> 8), le(c.p6()), le(c.p6() >> 8),
                le(c.p7()), le(c.p7() >> 8), le(c.p8()), le(c.p8() >> 8), le(c.p9()), le(c.p9() >> 8));
        f.set(0xA1, c.h1());
        f.set(0xE1, le(c.h2()), le(c.h2() >> 8), c.h3(), le(c.h4() >> 4), (c.h4() & 0x0F) | (c.h5() & 0x0F) << 4,
                le(c.h5() >> 4), le(c.h6()));
        adc(f, adcT, adcP, adcH);
        return f;
    }

    static void adc(FakeI2C f, int adcT, int adcP, int adcH) {
        f.set(Bme280.REG_DATA, adcP >> 12, adcP >> 4 & 0xFF, (adcP & 0x0F) << 4, adcT >> 12, adcT >> 4 & 0xFF,
                (adcT & 0x0F) << 4, adcH >> 8, adcH & 0xFF);
    }

    private static int le(int v) {
        return v & 0xFF;
    }

    @Test
    void bmp280DatasheetExample() throws Exception {
        Bme280Compensation c = new Bme280Compensation(DATASHEET);
        Bme280Compensation.Temperature t = c.temperature(519888);
        assertEquals(128422, t.tFine(), "datasheet: t_fine = 128422");
        assertEquals(2508, t.centiCelsius(), "datasheet: T = 25.08 °C");
        long q248 = c.pressure(415148, t.tFine());
        assertEquals(100653.27, q248 / 256.0, 0.05, "datasheet: p = 100653.27 Pa");
        assertEquals(25767233, q248, "the integer formula, computed independently");

        Bme280 bmp = Bme280.open(chip(0x58, DATASHEET, 519888, 415148, 0), NO_WAIT);
        assertEquals(Bme280.Chip.BMP280, bmp.chip());
        Bme280.Measurement m = bmp.measure();
        assertEquals(25.08, m.celsius(), 1e-9);
        assertEquals(1006.5325390625, m.hectopascals(), 1e-9);
        assertTrue(Double.isNaN(m.relativeHumidity()), "a BMP280 has no humidity");
    }

    @Test
    void bme280HumidityAndNegativeTemperature() throws Exception {
        // adc_T, adc_P, adc_H -> centi-°C, Pa Q24.8, %RH Q22.10 (Python, integer formulas)
        int[][] cases = {
            {519888, 415148, 27000, 2508, 25767233, 35344},
            {519888, 415148, 30000, 2508, 25767233, 52490},
            {350000, 415148, 30000, -2847, 23695930, 49642},
            {700000, 700000, 30000, 8115, 0, -1}, // hot: only the temperature is checked here
        };
        Bme280Compensation c = new Bme280Compensation(DATASHEET);
        for (int[] k : cases) {
            Bme280Compensation.Temperature t = c.temperature(k[0]);
            assertEquals(k[3], t.centiCelsius(), "temperature for adc_T " + k[0]);
            double[] reference = floatingPoint(DATASHEET, k[0], k[1], k[2]);
            assertEquals(reference[0], t.centiCelsius() / 100.0, 0.01, "against the floating-point formula");
            if (k[5] < 0) {
                continue;
            }
            assertEquals(k[4], c.pressure(k[1], t.tFine()));
            assertEquals(k[5], c.humidity(k[2], t.tFine()));
            assertEquals(reference[1], c.pressure(k[1], t.tFine()) / 256.0, 0.1);
            assertEquals(reference[2], c.humidity(k[2], t.tFine()) / 1024.0, 0.01);
        }

        Bme280 bme = Bme280.open(chip(0x60, DATASHEET, 350000, 415148, 30000), NO_WAIT);
        Bme280.Measurement m = bme.measure();
        assertEquals(-28.47, m.celsius(), 1e-9, "below zero");
        assertEquals(925.622265625, m.hectopascals(), 1e-9);
        assertEquals(48.478515625, m.relativeHumidity(), 1e-9);
    }

    @Test
    void humidityIsClampedTo0To100() throws Exception {
        Bme280Compensation c = new Bme280Compensation(DATASHEET);
        int tFine = c.temperature(519888).tFine();
        assertEquals(100 * 1024, c.humidity(0xFFFF, tFine), "saturated ADC: 100 %RH");
        assertEquals(0, c.humidity(0, tFine), "empty ADC: 0 %RH");
        assertEquals(0, c.humidity(20000, tFine), "the formula goes negative here; the datasheet clamps it");
    }

    @Test
    void calibrationBytesDecodeWithTheirSigns() {
        Bme280Calibration odd = new Bme280Calibration(65535, -32768, 32767, 65000, -1, 1, -2, 2, -3, 3, -4, 4,
                255, -300, 200, -100, -7, -5);
        FakeI2C f = chip(0x60, odd, 0, 0, 0);
        byte[] tp = new byte[24];
        System.arraycopy(f.registers, 0x88, tp, 0, 24);
        byte[] h = new byte[7];
        System.arraycopy(f.registers, 0xE1, h, 0, 7); // one byte per register here
        assertEquals(odd, Bme280Calibration.parse(tp, f.registers[0xA1], h));
    }

    @Test
    void measureWritesHumidityControlFirstThenForcedMode() throws Exception {
        FakeI2C f = chip(0x60, DATASHEET, 519888, 415148, 27000);
        Bme280 bme = Bme280.open(f, NO_WAIT);
        assertEquals(List.of("E0=B6", "F5=00"), f.log, "reset, then the filter off");
        f.log.clear();
        bme.measure();
        assertEquals(List.of("F2=01", "F4=25"), f.log, "ctrl_hum only takes effect with the ctrl_meas write after it");
    }

    @Test
    void wrongChipIdIsRefusedWithBothIds() throws Exception {
        IOException e = assertThrows(IOException.class, () -> Bme280.open(chip(0x55, DATASHEET, 0, 0, 0), NO_WAIT));
        assertEquals("I2C bus 1 at 0x76: chip id register 0xD0 reads 0x55; expected 0x60 (BME280) or 0x56-0x58"
                + " (BMP280): another chip answers at this address", e.getMessage());
    }

    @Test
    void valuesOutsideTheDatasheetRangeAreErrorsNotReadings() throws Exception {
        FakeI2C f = chip(0x60, DATASHEET, 519888, 200000, 30000);
        Bme280 bme = Bme280.open(f, NO_WAIT);
        IOException high = assertThrows(IOException.class, bme::measure);
        assertTrue(high.getMessage().startsWith("I2C bus 1 at 0x76: BME280 pressure 1380.29265625 hPa (raw 200000) is"
                + " outside the sensor's range 300..1100 hPa"), high.getMessage());

        adc(f, 519888, 900000, 30000);
        assertTrue(assertThrows(IOException.class, bme::measure).getMessage().contains("pressure 181.6401"));

        adc(f, 300000, 415148, 30000);
        assertTrue(assertThrows(IOException.class, bme::measure).getMessage()
                .contains("temperature -44.36 °C (raw 300000) is outside the sensor's range -40..85 °C"));

        adc(f, 0x80000, 415148, 30000);
        assertTrue(assertThrows(IOException.class, bme::measure).getMessage().contains("'skipped' value 0x80000"));

        adc(f, 519888, 415148, 30000);
        assertEquals(25.08, bme.measure().celsius(), 1e-9, "and it reads again once the values are sane");
    }

    @Test
    void aMeasurementThatNeverEndsIsAnError() throws Exception {
        FakeI2C f = chip(0x60, DATASHEET, 519888, 415148, 30000);
        Bme280 bme = Bme280.open(f, NO_WAIT);
        f.set(Bme280.REG_STATUS, Bme280.STATUS_MEASURING);
        IOException e = assertThrows(IOException.class, bme::measure);
        assertEquals("I2C bus 1 at 0x76: still measuring after 20 ms more (status register 0xF3 = 0x08)", e.getMessage());
    }

    @Test
    void aBusErrorNamesBusAddressAndRegister() throws Exception {
        FakeI2C f = chip(0x60, DATASHEET, 519888, 415148, 30000);
        Bme280 bme = Bme280.open(f, NO_WAIT);
        f.broken = true;
        IOException e = assertThrows(IOException.class, bme::measure);
        assertEquals("I2C bus 1 at 0x76: writing 0x01 to register 0xF2 failed: Failed to execute action for device 118"
                + " on bus 1: Remote I/O error", e.getMessage());
    }

    @Test
    void theSensorAnnouncesWhatTheChipHas() throws Exception {
        Bme280Sensor bme = new Bme280Sensor("air", Bme280.open(chip(0x60, DATASHEET, 519888, 415148, 27000), NO_WAIT),
                "I2C bus 1 (/dev/i2c-1) at 0x76");
        assertEquals(List.of(new SensorInfo("air.temperature", "°C", "bme280.temperature", false),
                new SensorInfo("air.pressure", "hPa", "bme280.pressure", false),
                new SensorInfo("air.humidity", "%RH", "bme280.humidity", false)), bme.channels());
        double[] v = bme.sample();
        assertEquals(3, v.length);
        assertEquals(34.515625, v[2], 1e-9);

        Bme280Sensor bmp = new Bme280Sensor("air", Bme280.open(chip(0x56, DATASHEET, 519888, 415148, 0), NO_WAIT),
                "I2C bus 1 (/dev/i2c-1) at 0x76");
        assertEquals(List.of("air.temperature", "air.pressure"), bmp.channels().stream().map(SensorInfo::name).toList());
        assertEquals("bmp280.pressure", bmp.channels().get(1).kind());
        assertEquals(2, bmp.sample().length);
    }

    /**
     * The datasheet's double-precision compensation (BST-BME280-DS002 section 8.1), written out
     * independently of the driver: {°C, Pa, %RH}.
     */
    static double[] floatingPoint(Bme280Calibration c, int adcT, int adcP, int adcH) {
        double var1 = (adcT / 16384.0 - c.t1() / 1024.0) * c.t2();
        double var2 = (adcT / 131072.0 - c.t1() / 8192.0) * (adcT / 131072.0 - c.t1() / 8192.0) * c.t3();
        double celsius = (var1 + var2) / 5120.0;
        int tFine = (int) (var1 + var2); // the datasheet's t_fine is an integer here too

        var1 = tFine / 2.0 - 64000.0;
        var2 = var1 * var1 * c.p6() / 32768.0;
        var2 = var2 + var1 * c.p5() * 2.0;
        var2 = var2 / 4.0 + c.p4() * 65536.0;
        var1 = (c.p3() * var1 * var1 / 524288.0 + c.p2() * var1) / 524288.0;
        var1 = (1.0 + var1 / 32768.0) * c.p1();
        double p = 1048576.0 - adcP;
        p = (p - var2 / 4096.0) * 6250.0 / var1;
        var1 = c.p9() * p * p / 2147483648.0;
        var2 = p * c.p8() / 32768.0;
        p = p + (var1 + var2 + c.p7()) / 16.0;

        double h = tFine - 76800.0;
        h = (adcH - (c.h4() * 64.0 + c.h5() / 16384.0 * h)) * (c.h2() / 65536.0 * (1.0 + c.h6() / 67108864.0 * h
                * (1.0 + c.h3() / 67108864.0 * h)));
        h = h * (1.0 - c.h1() * h / 524288.0);
        return new double[] {celsius, p, Math.clamp(h, 0.0, 100.0)};
    }
}
