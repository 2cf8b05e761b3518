package io.pigateway.client.config;

/**
 * Where an I2C chip answers: bus {@code n} is the device file {@code /dev/i2c-n} (bus 1 on the Pi's
 * header, pins 3 and 5), {@code address} the chip's 7-bit address.
 */
public record I2cDevice(int bus, int address) {
    public I2cDevice {
        if (bus < 0 || bus > 255) {
            throw new IllegalArgumentException("I2C bus must be from 0 to 255, not " + bus);
        }
        if (address < 0x03 || address > 0x77) {
            throw new IllegalArgumentException("I2C address must be from 0x03 to 0x77, not " + hex(address));
        }
    }

    public String devicePath() {
        return "/dev/i2c-" + bus;
    }

    /** {@code 0x76}. */
    public static String hex(int address) {
        return String.format("0x%02X", address);
    }

    /** "I2C bus 1 (/dev/i2c-1) at 0x76", for messages. */
    @Override
    public String toString() {
        return "I2C bus " + bus + " (" + devicePath() + ") at " + hex(address);
    }
}
