package io.pigateway.client.sensor.pi4j;

import io.pigateway.common.ErrorText;
import com.pi4j.Pi4J;
import com.pi4j.boardinfo.util.BoardInfoHelper;
import com.pi4j.context.Context;
import com.pi4j.context.ContextBuilder;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.I2cDevice;
import io.pigateway.client.sensor.SensorStartException;
import java.util.Set;
import org.tinylog.Logger;

/**
 * One Pi4J context with exactly the providers the configured sensors need: gpiod for GPIO inputs
 * (the kernel's GPIO character device, {@code /dev/gpiochip*}) and linuxfs for I2C ({@code /dev/i2c-*}).
 * No auto-detection, so a mock plugin on the class path is never picked up by accident. Pi4J's
 * exceptions become {@link SensorStartException}s that name the pin or bus.
 */
final class Pi4jIo implements PiIo {
    private final Context context;

    private Pi4jIo(Context context) {
        this.context = context;
    }

    /**
     * Checks the device files first, then starts Pi4J.
     *
     * @param buses the I2C buses to open; empty for none
     */
    static Pi4jIo open(boolean gpio, Set<Integer> buses, DeviceFiles files) {
        if (gpio) {
            files.checkGpio();
        }
        buses.stream().sorted().forEach(files::checkI2c);
        try {
            if (gpio && !BoardInfoHelper.runningOnRaspberryPi()) {
                throw new SensorStartException("Pi4J does not recognise this machine as a Raspberry Pi (board model "
                        + BoardInfoHelper.current().getBoardModel() + "), and its gpiod provider opens GPIO chips only"
                        + " on one; gpio-input sensors cannot run here");
            }
            ContextBuilder builder = Pi4J.newContextBuilder();
            if (gpio) {
                builder.add(GpioDDigitalInputProvider.newInstance());
            }
            if (!buses.isEmpty()) {
                builder.add(LinuxFsI2CProvider.newInstance());
            }
            Context context = builder.build();
            Logger.info("Pi4J started with {}{}{}", gpio ? "GPIO (gpiod)" : "", gpio && !buses.isEmpty() ? " and " : "",
                    buses.isEmpty() ? "" : "I2C (linuxfs) on bus " + String.join(", ",
                            buses.stream().sorted().map(String::valueOf).toList()));
            return new Pi4jIo(context);
        } catch (RuntimeException | LinkageError e) {
            if (e instanceof SensorStartException s) {
                throw s;
            }
            throw new SensorStartException("Pi4J could not start" + (gpio ? " its GPIO provider (gpiod)" : "")
                    + ": " + ErrorText.of(e), e);
        }
    }

    @Override
    public DigitalInput digitalInput(String id, int bcmPin, Hardware.Pull pull) {
        try {
            return context.create(DigitalInput.newConfigBuilder(context)
                    .id(id)
                    .address(bcmPin)
                    .pull(switch (pull) {
                        case UP -> PullResistance.PULL_UP;
                        case DOWN -> PullResistance.PULL_DOWN;
                        case OFF -> PullResistance.OFF;
                    })
                    .debounce(0L));
        } catch (RuntimeException | LinkageError e) {
            throw new SensorStartException("GPIO" + bcmPin + ": Pi4J's gpiod provider could not open the line: "
                    + ErrorText.of(e) + " (is another program using the pin? gpioinfo lists the lines in use)", e);
        }
    }

    @Override
    public I2C i2c(String id, I2cDevice device) {
        try {
            return context.create(I2C.newConfigBuilder(context).id(id).bus(device.bus()).device(device.address()));
        } catch (RuntimeException | LinkageError e) {
            throw new SensorStartException(device + ": Pi4J's linuxfs provider could not open the bus: "
                    + ErrorText.of(e), e);
        }
    }

    @Override
    public void close() {
        try {
            context.shutdown();
            Logger.info("Pi4J shut down: GPIO lines released, I2C buses closed");
        } catch (RuntimeException e) {
            Logger.warn("Pi4J did not shut down cleanly: {}", ErrorText.of(e));
        }
    }
}
