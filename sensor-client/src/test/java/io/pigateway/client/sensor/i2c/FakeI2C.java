package io.pigateway.client.sensor.i2c;

import com.pi4j.exception.Pi4JException;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.mock.provider.i2c.MockI2C;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

/**
 * A register-level stand-in for a chip: 256 registers of one byte (BME280) or two (ADS1115) that
 * read back what is stored (Pi4J's
 * MockI2C queues bytes instead, a write preloads and a read consumes), block transfers that
 * auto-increment the address like real chips, an {@link #onWrite} hook for the chip's behaviour, a
 * fixed answer for register-less reads (BH1750), and failures thrown the way Pi4J's linuxfs provider
 * throws them: a {@link Pi4JException} wrapping the kernel's {@link IOException}.
 */
public class FakeI2C extends MockI2C {
    /** The register file: register r is {@code width} bytes from index r * width. */
    public final byte[] registers;
    private final int width;
    /** Every register write as "F4=25", and every command as "cmd 10", in order. */
    public final List<String> log = new ArrayList<>();
    /** Called after each register write with the register and the bytes written. */
    public volatile BiConsumer<Integer, byte[]> onWrite = (register, bytes) -> { };
    /** Called before each register read with the register, e.g. to change what it will read. */
    public volatile IntConsumer onRead = register -> { };
    /** What a read without a register address returns. */
    public volatile byte[] rawAnswer = new byte[0];
    /** The next this-many transfers fail. */
    public volatile int failures;
    /** Every transfer fails from now on. */
    public volatile boolean broken;

    public FakeI2C(int bus, int address) {
        this(bus, address, 1);
    }

    /** @param width bytes per register */
    public FakeI2C(int bus, int address, int width) {
        super(MockI2CProvider.newInstance(), I2C.newConfigBuilder(null).bus(bus).device(address).build());
        this.width = width;
        this.registers = new byte[256 * width];
    }

    private int at(int register, int i) {
        return (register * width + i) % registers.length;
    }

    /** Stores bytes from {@code register} on. */
    public FakeI2C set(int register, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            registers[at(register, i)] = (byte) bytes[i];
        }
        return this;
    }

    /** Stores a big-endian 16-bit value. */
    public FakeI2C word(int register, int value) {
        return set(register, value >> 8 & 0xFF, value & 0xFF);
    }

    public int word(int register) {
        return (registers[at(register, 0)] & 0xFF) << 8 | (registers[at(register, 1)] & 0xFF);
    }

    private synchronized void transfer() {
        if (broken || failures > 0) {
            if (failures > 0) {
                failures--;
            }
            throw new Pi4JException("Failed to execute action for device " + device() + " on bus " + bus(),
                    new IOException("Remote I/O error"));
        }
    }

    @Override
    public int readRegister(int register) {
        transfer();
        onRead.accept(register);
        return registers[at(register, 0)] & 0xFF;
    }

    @Override
    public int readRegister(int register, byte[] buffer, int offset, int length) {
        transfer();
        onRead.accept(register);
        for (int i = 0; i < length; i++) {
            buffer[offset + i] = registers[at(register, i)];
        }
        return length;
    }

    @Override
    public int writeRegister(int register, byte b) {
        return writeRegister(register, new byte[] {b}, 0, 1);
    }

    @Override
    public int writeRegister(int register, byte[] data, int offset, int length) {
        transfer();
        byte[] written = new byte[length];
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < length; i++) {
            written[i] = data[offset + i];
            registers[at(register, i)] = written[i];
            hex.append(String.format("%02X", written[i] & 0xFF));
        }
        log.add(String.format("%02X=", register) + hex);
        onWrite.accept(register, written);
        return length;
    }

    @Override
    public int write(byte b) {
        transfer();
        log.add(String.format("cmd %02X", b & 0xFF));
        return 1;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        transfer();
        int n = Math.min(length, rawAnswer.length);
        System.arraycopy(rawAnswer, 0, buffer, offset, n);
        return n;
    }
}
