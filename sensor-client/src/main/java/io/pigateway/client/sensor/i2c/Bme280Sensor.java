package io.pigateway.client.sensor.i2c;

import io.pigateway.client.sensor.NamedSensor;
import io.pigateway.client.sensor.PolledSensor;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A BME280 as the sampler sees it: readings {@code <name>.temperature} (°C), {@code <name>.pressure}
 * (hPa) and {@code <name>.humidity} (%RH), the last only when the chip is a BME280, not a BMP280.
 */
public final class Bme280Sensor extends NamedSensor implements PolledSensor {
    private final Bme280 chip;

    public Bme280Sensor(String name, Bme280 chip, String where) {
        super(name, chip.chip() + " on " + where + (chip.chip().hasHumidity() ? "" : " (a BMP280 has no humidity sensor)"),
                channels(name, chip.chip()));
        this.chip = chip;
    }

    private static List<SensorInfo> channels(String name, Bme280.Chip chip) {
        String kind = chip.name().toLowerCase(Locale.ROOT);
        List<SensorInfo> c = new ArrayList<>();
        c.add(new SensorInfo(name + ".temperature", "°C", kind + ".temperature", false));
        c.add(new SensorInfo(name + ".pressure", "hPa", kind + ".pressure", false));
        if (chip.hasHumidity()) {
            c.add(new SensorInfo(name + ".humidity", "%RH", kind + ".humidity", false));
        }
        return c;
    }

    @Override
    public double[] sample() throws IOException {
        Bme280.Measurement m = chip.measure();
        return chip.chip().hasHumidity()
                ? new double[] {m.celsius(), m.hectopascals(), m.relativeHumidity()}
                : new double[] {m.celsius(), m.hectopascals()};
    }
}
