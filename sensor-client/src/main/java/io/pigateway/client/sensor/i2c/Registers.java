package io.pigateway.client.sensor.i2c;

import io.pigateway.common.ErrorText;
import com.pi4j.io.i2c.I2C;
import io.pigateway.client.config.I2cDevice;
import java.io.IOException;

/**
 * Byte-level access to one I2C chip. Pi4J reports bus errors as unchecked exceptions; here every
 * failure becomes an {@link IOException} that names the bus, the address and the register, and a
 * short read is a failure rather than a buffer of stale zeros.
 */
public final class Registers {
    private final I2C i2c;
    private final String where;

    public Registers(I2C i2c) {
        this.i2c = i2c;
        this.where = "I2C bus " + i2c.bus() + " at " + I2cDevice.hex(i2c.device());
    }

    /** "I2C bus 1 at 0x76", for messages. */
    public String where() {
        return where;
    }

    public int readByte(int register) throws IOException {
        return read(register, 1)[0] & 0xFF;
    }

    /** A big-endian 16-bit register, unsigned. */
    public int readWord(int register) throws IOException {
        byte[] b = read(register, 2);
        return (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
    }

    /** {@code length} bytes from {@code register} on, in one transfer (the chip increments the address). */
    public byte[] read(int register, int length) throws IOException {
        byte[] buffer = new byte[length];
        int n;
        try {
            n = i2c.readRegister(register, buffer, 0, length);
        } catch (RuntimeException e) {
            throw failure("reading " + length + " byte(s) from register " + hex(register), e);
        }
        if (n != length) {
            throw new IOException(where + ": reading register " + hex(register) + " returned " + Math.max(n, 0)
                    + " of " + length + " bytes");
        }
        return buffer;
    }

    public void writeByte(int register, int value) throws IOException {
        try {
            i2c.writeRegister(register, (byte) value);
        } catch (RuntimeException e) {
            throw failure("writing " + hex(value) + " to register " + hex(register), e);
        }
    }

    /** A big-endian 16-bit register. */
    public void writeWord(int register, int value) throws IOException {
        try {
            i2c.writeRegister(register, new byte[] {(byte) (value >> 8), (byte) value}, 0, 2);
        } catch (RuntimeException e) {
            throw failure("writing " + String.format("0x%04X", value & 0xFFFF) + " to register " + hex(register), e);
        }
    }

    /** One byte that is not a register address: an opcode (BH1750). */
    public void command(int opcode) throws IOException {
        try {
            i2c.write((byte) opcode);
        } catch (RuntimeException e) {
            throw failure("sending command " + hex(opcode), e);
        }
    }

    /** {@code length} bytes without a register address (BH1750). */
    public byte[] readRaw(int length) throws IOException {
        byte[] buffer = new byte[length];
        int n;
        try {
            n = i2c.read(buffer, 0, length);
        } catch (RuntimeException e) {
            throw failure("reading " + length + " byte(s)", e);
        }
        if (n != length) {
            throw new IOException(where + ": read returned " + Math.max(n, 0) + " of " + length + " bytes");
        }
        return buffer;
    }

    private IOException failure(String what, RuntimeException e) {
        return new IOException(where + ": " + what + " failed: " + ErrorText.of(e), e);
    }

    static String hex(int b) {
        return String.format("0x%02X", b & 0xFF);
    }
}
