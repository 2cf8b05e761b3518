package io.pigateway.client.sensor.i2c;

/** What every I2C chip driver holds: the chip's registers on its bus, and the pause it waits with. */
abstract class I2cChip {
    final Registers registers;
    final Pause pause;

    I2cChip(Registers registers, Pause pause) {
        this.registers = registers;
        this.pause = pause;
    }

    /** The bus and address, for messages: "I2C bus 1 (/dev/i2c-1) at 0x23". */
    public String where() {
        return registers.where();
    }
}
