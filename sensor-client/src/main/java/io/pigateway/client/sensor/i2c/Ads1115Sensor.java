package io.pigateway.client.sensor.i2c;

import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.LinearScale;
import io.pigateway.client.sensor.NamedSensor;
import io.pigateway.client.sensor.PolledSensor;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.List;

/**
 * Some inputs of an ADS1115 as the sampler sees them: one reading {@code <name>.<input>} per input
 * ({@code tank.a0}, {@code bridge.a0-a1}), in volts or scaled linearly to the configured unit.
 */
public final class Ads1115Sensor extends NamedSensor implements PolledSensor {
    private final Ads1115 chip;
    private final Hardware.Ads1115 settings;

    public Ads1115Sensor(String name, Ads1115 chip, Hardware.Ads1115 settings, String unit, String where) {
        super(name, description(settings, unit, where), channels(name, settings, unit));
        this.chip = chip;
        this.settings = settings;
    }

    private static List<SensorInfo> channels(String name, Hardware.Ads1115 settings, String unit) {
        String kind = settings.scale() == null ? "ads1115.voltage" : "ads1115.scaled";
        return settings.inputs().stream().map(i -> new SensorInfo(name + "." + i.key(), unit, kind, false)).toList();
    }

    private static String description(Hardware.Ads1115 settings, String unit, String where) {
        LinearScale s = settings.scale();
        return "ADS1115 on " + where + ", gain " + settings.gain().key() + " (±"
                + Ads1115.fullScaleVolts(settings.gain()) + " V), " + settings.dataRate() + " samples/s"
                + (s == null ? "" : ", " + s.x1() + " V = " + s.y1() + " " + unit + ", " + s.x2() + " V = " + s.y2()
                + " " + unit);
    }

    @Override
    public double[] sample() throws IOException {
        List<Hardware.AdcInput> inputs = settings.inputs();
        double[] values = new double[inputs.size()];
        for (int i = 0; i < values.length; i++) {
            double volts = chip.volts(inputs.get(i), settings.gain(), settings.dataRate());
            values[i] = settings.scale() == null ? volts : settings.scale().apply(volts);
        }
        return values;
    }
}
