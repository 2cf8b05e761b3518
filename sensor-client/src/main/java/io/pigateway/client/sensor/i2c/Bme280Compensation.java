package io.pigateway.client.sensor.i2c;

/**
 * The datasheet's integer compensation (BST-BME280-DS002 section 4.2.3; the BMP280 datasheet has the
 * same formulas for temperature and pressure): raw ADC values in, temperature in 0.01 °C, pressure
 * in Pa as unsigned Q24.8 and humidity in %RH as Q22.10 out. {@code int} is the datasheet's
 * BME280_S32_t and {@code long} its BME280_S64_t; Java's shifts and divisions on negative numbers
 * behave like the datasheet's reference code on the usual two's-complement targets.
 */
public final class Bme280Compensation {
    private final Bme280Calibration c;

    public Bme280Compensation(Bme280Calibration calibration) {
        this.c = calibration;
    }

    /**
     * @param centiCelsius temperature, 5123 = 51.23 °C
     * @param tFine        the fine temperature the pressure and humidity formulas use
     */
    public record Temperature(int centiCelsius, int tFine) {
    }

    public Temperature temperature(int adcT) {
        int var1 = (((adcT >> 3) - (c.t1() << 1)) * c.t2()) >> 11;
        int var2 = (((((adcT >> 4) - c.t1()) * ((adcT >> 4) - c.t1())) >> 12) * c.t3()) >> 14;
        int tFine = var1 + var2;
        return new Temperature((tFine * 5 + 128) >> 8, tFine);
    }

    /** Pressure in Pa as Q24.8 (24674867 = 24674867/256 = 96386.2 Pa); 0 if the calibration would divide by zero. */
    public long pressure(int adcP, int tFine) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * c.p6();
        var2 = var2 + ((var1 * c.p5()) << 17);
        var2 = var2 + ((long) c.p4() << 35);
        var1 = ((var1 * var1 * c.p3()) >> 8) + ((var1 * c.p2()) << 12);
        var1 = (((1L << 47) + var1) * c.p1()) >> 33;
        if (var1 == 0) {
            return 0;
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = ((long) c.p9() * (p >> 13) * (p >> 13)) >> 25;
        var2 = ((long) c.p8() * p) >> 19;
        return ((p + var1 + var2) >> 8) + ((long) c.p7() << 4);
    }

    /** Relative humidity in %RH as Q22.10 (47445 = 47445/1024 = 46.333 %RH), clamped to 0..100 %RH. */
    public int humidity(int adcH, int tFine) {
        int v = tFine - 76800;
        v = ((((adcH << 14) - (c.h4() << 20) - (c.h5() * v)) + 16384) >> 15)
                * (((((((v * c.h6()) >> 10) * (((v * c.h3()) >> 11) + 32768)) >> 10) + 2097152) * c.h2() + 8192) >> 14);
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * c.h1()) >> 4);
        v = Math.clamp(v, 0, 419430400);
        return v >> 12;
    }
}
