package io.pigateway.client.sensor.i2c;

import io.pigateway.client.sensor.Sensor;
import java.io.IOException;

/**
 * A BH1750 as the sampler sees it: one reading in lux. After a failed read the chip is started again
 * before the next one, since a chip that lost power comes back powered down.
 */
public final class Bh1750Sensor implements Sensor {
    private final String name;
    private final Bh1750 chip;
    private final String description;
    private boolean restart;

    public Bh1750Sensor(String name, Bh1750 chip, String where) {
        this.name = name;
        this.chip = chip;
        this.description = "BH1750 on " + where;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unit() {
        return "lx";
    }

    @Override
    public String kind() {
        return "bh1750.illuminance";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public double read() throws IOException {
        try {
            if (restart) {
                chip.start();
                restart = false;
            }
            return chip.lux();
        } catch (IOException e) {
            restart = true;
            throw e;
        }
    }
}
