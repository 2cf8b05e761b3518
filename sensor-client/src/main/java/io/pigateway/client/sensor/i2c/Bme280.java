package io.pigateway.client.sensor.i2c;

import com.pi4j.io.i2c.I2C;
import java.io.IOException;

/**
 * Driver for a Bosch BME280 (temperature, pressure, humidity) or BMP280 (no humidity), in forced
 * mode: each {@link #measure()} starts one measurement with ×1 oversampling and the IIR filter off
 * (the datasheet's "weather monitoring" setting), waits for it and compensates it with the chip's
 * own calibration. Register map: datasheet BST-BME280-DS002 section 5.
 *
 * <p>Not thread-safe; one sampler thread calls it.
 */
public final class Bme280 extends I2cChip {
    static final int REG_CALIB_TP = 0x88;
    static final int REG_CALIB_H1 = 0xA1;
    static final int REG_CHIP_ID = 0xD0;
    static final int REG_RESET = 0xE0;
    static final int REG_CALIB_H = 0xE1;
    static final int REG_CTRL_HUM = 0xF2;
    static final int REG_STATUS = 0xF3;
    static final int REG_CTRL_MEAS = 0xF4;
    static final int REG_CONFIG = 0xF5;
    static final int REG_DATA = 0xF7;

    static final int CHIP_ID_BME280 = 0x60;
    static final int RESET_WORD = 0xB6;
    static final int STATUS_MEASURING = 0x08;
    static final int STATUS_IM_UPDATE = 0x01;
    /** ctrl_hum: humidity oversampling ×1. */
    static final int CTRL_HUM_X1 = 0x01;
    /** ctrl_meas: temperature ×1 (001), pressure ×1 (001), forced mode (01). */
    static final int CTRL_MEAS_FORCED_X1 = 0b001_001_01;
    /** Maximum measurement time with ×1 oversampling for all three: 1.25 + 2.3 + 2.875 + 2.875 = 9.3 ms. */
    static final int MEASURE_MILLIS = 10;
    static final int POLL_MILLIS = 2;
    static final int POLLS = 10;

    /** The datasheet's operating range; anything outside is a misread, not weather. */
    static final double MIN_CELSIUS = -40;
    static final double MAX_CELSIUS = 85;
    static final double MIN_HPA = 300;
    static final double MAX_HPA = 1100;

    /** What answered at the address. */
    public enum Chip {
        BME280, BMP280;

        public boolean hasHumidity() {
            return this == BME280;
        }
    }

    /**
     * @param relativeHumidity in %RH, NaN on a BMP280
     */
    public record Measurement(double celsius, double hectopascals, double relativeHumidity) {
    }

    private final Chip chip;
    private final Bme280Compensation compensation;

    private Bme280(Registers registers, Pause pause, Chip chip, Bme280Compensation compensation) {
        super(registers, pause);
        this.chip = chip;
        this.compensation = compensation;
    }

    /** Checks the chip id, resets the chip, reads its calibration and sets the filter off. */
    public static Bme280 open(I2C i2c, Pause pause) throws IOException {
        Registers r = new Registers(i2c);
        int id = r.readByte(REG_CHIP_ID);
        Chip chip = chipOf(id, r.where());
        r.writeByte(REG_RESET, RESET_WORD);
        pause.millis(POLL_MILLIS); // start-up time after a reset: 2 ms
        waitWhile(r, pause, STATUS_IM_UPDATE, "copying its calibration from NVM");
        byte[] tp = r.read(REG_CALIB_TP, Bme280Calibration.TP_LENGTH);
        Bme280Calibration calibration = chip.hasHumidity()
                ? Bme280Calibration.parse(tp, r.readByte(REG_CALIB_H1), r.read(REG_CALIB_H, Bme280Calibration.H_LENGTH))
                : Bme280Calibration.parse(tp, 0, null);
        r.writeByte(REG_CONFIG, 0x00); // filter off, SPI 3-wire off; written in sleep mode, right after the reset
        return new Bme280(r, pause, chip, new Bme280Compensation(calibration));
    }

    static Chip chipOf(int id, String where) throws IOException {
        if (id == CHIP_ID_BME280) {
            return Chip.BME280;
        }
        if (id >= 0x56 && id <= 0x58) {
            return Chip.BMP280;
        }
        throw new IOException(where + ": chip id register 0xD0 reads " + Registers.hex(id) + "; expected 0x60"
                + " (BME280) or 0x56-0x58 (BMP280): another chip answers at this address");
    }

    public Chip chip() {
        return chip;
    }

    /** One forced-mode measurement, compensated and checked against the datasheet's operating range. */
    public Measurement measure() throws IOException {
        if (chip.hasHumidity()) {
            registers.writeByte(REG_CTRL_HUM, CTRL_HUM_X1); // takes effect with the next ctrl_meas write
        }
        registers.writeByte(REG_CTRL_MEAS, CTRL_MEAS_FORCED_X1);
        pause.millis(MEASURE_MILLIS);
        waitWhile(registers, pause, STATUS_MEASURING, "measuring");
        byte[] d = registers.read(REG_DATA, chip.hasHumidity() ? 8 : 6);
        int adcP = (d[0] & 0xFF) << 12 | (d[1] & 0xFF) << 4 | (d[2] & 0xFF) >> 4;
        int adcT = (d[3] & 0xFF) << 12 | (d[4] & 0xFF) << 4 | (d[5] & 0xFF) >> 4;
        if (adcT == 0x80000 || adcP == 0x80000) {
            throw new IOException(registers.where() + ": " + chip + " returned the 'skipped' value 0x80000 for "
                    + (adcT == 0x80000 ? "temperature" : "pressure") + ", so no measurement was made");
        }
        Bme280Compensation.Temperature t = compensation.temperature(adcT);
        double celsius = t.centiCelsius() / 100.0;
        check("temperature", celsius, MIN_CELSIUS, MAX_CELSIUS, "°C", adcT);
        double hpa = compensation.pressure(adcP, t.tFine()) / 256.0 / 100.0;
        check("pressure", hpa, MIN_HPA, MAX_HPA, "hPa", adcP);
        double humidity = Double.NaN;
        if (chip.hasHumidity()) {
            int adcH = (d[6] & 0xFF) << 8 | (d[7] & 0xFF);
            if (adcH == 0x8000) {
                throw new IOException(registers.where() + ": BME280 returned the 'skipped' value 0x8000 for humidity");
            }
            humidity = compensation.humidity(adcH, t.tFine()) / 1024.0;
        }
        return new Measurement(celsius, hpa, humidity);
    }

    private void check(String what, double value, double min, double max, String unit, int adc) throws IOException {
        if (value < min || value > max) {
            throw new IOException(registers.where() + ": " + chip + " " + what + " " + value + " " + unit
                    + " (raw " + adc + ") is outside the sensor's range " + (int) min + ".." + (int) max + " " + unit);
        }
    }

    private static void waitWhile(Registers r, Pause pause, int statusBit, String doing) throws IOException {
        int status = 0;
        for (int i = 0; i < POLLS; i++) {
            status = r.readByte(REG_STATUS);
            if ((status & statusBit) == 0) {
                return;
            }
            pause.millis(POLL_MILLIS);
        }
        throw new IOException(r.where() + ": still " + doing + " after " + POLLS * POLL_MILLIS + " ms more (status"
                + " register 0xF3 = " + Registers.hex(status) + ")");
    }
}
