package io.pigateway.client.sensor.i2c;

import com.pi4j.io.i2c.I2C;
import java.io.IOException;

/**
 * Driver for a ROHM BH1750FVI ambient light sensor in continuous high-resolution mode (1 lx
 * resolution, a new value every 120 ms, at most 180 ms). The chip has no registers and no id: it
 * takes one-byte opcodes and answers a read with the last result, big-endian. Illuminance is
 * counts / 1.2 at the default measurement time (datasheet: "( High Byte [..] + Low Byte ) / 1.2").
 *
 * <p>Not thread-safe; one sampler thread calls it.
 */
public final class Bh1750 extends I2cChip {
    static final int POWER_ON = 0x01;
    static final int CONTINUOUS_HIGH_RES = 0x10;
    /** Longest high-resolution measurement time; until then the chip reads 0. */
    static final int FIRST_RESULT_MILLIS = 180;
    /** Counts per lux at the default measurement time register (MTreg = 69). */
    static final double COUNTS_PER_LUX = 1.2;

    private Bh1750(Registers registers, Pause pause) {
        super(registers, pause);
    }

    /** Powers the chip on, starts continuous measurements and waits for the first one. */
    public static Bh1750 open(I2C i2c, Pause pause) throws IOException {
        Bh1750 b = new Bh1750(new Registers(i2c), pause);
        b.start();
        return b;
    }

    /** Starts continuous measurements again, e.g. after the chip lost power. */
    public void start() throws IOException {
        registers.command(POWER_ON);
        registers.command(CONTINUOUS_HIGH_RES);
        pause.millis(FIRST_RESULT_MILLIS);
    }

    /** The latest result, 0 to 54612.5 lx (65535 counts: the chip is saturated, e.g. in direct sun). */
    public double lux() throws IOException {
        byte[] b = registers.readRaw(2);
        int counts = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
        return counts / COUNTS_PER_LUX;
    }
}
