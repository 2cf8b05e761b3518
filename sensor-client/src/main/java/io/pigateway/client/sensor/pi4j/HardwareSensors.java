package io.pigateway.client.sensor.pi4j;

import io.pigateway.common.ErrorText;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.i2c.I2C;
import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.I2cDevice;
import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.sensor.RealSensors;
import io.pigateway.client.sensor.ScheduledSensor;
import io.pigateway.client.sensor.SensorSet;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.client.sensor.gpio.Debouncer;
import io.pigateway.client.sensor.gpio.GpioEdgeSensor;
import io.pigateway.client.sensor.gpio.GpioPulseCounter;
import io.pigateway.client.sensor.gpio.GpioStateSensor;
import io.pigateway.client.sensor.i2c.Ads1115;
import io.pigateway.client.sensor.i2c.Ads1115Sensor;
import io.pigateway.client.sensor.i2c.Bh1750;
import io.pigateway.client.sensor.i2c.Bh1750Sensor;
import io.pigateway.client.sensor.i2c.Bme280;
import io.pigateway.client.sensor.i2c.Bme280Sensor;
import io.pigateway.client.sensor.i2c.Pause;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Opens real sensors through {@link PiIo}: creates the Pi4J I/O for each configured sensor, runs the
 * driver's start-up checks (chip id, calibration) and wraps it for the sampler. Any failure is a
 * {@link SensorStartException} naming the sensor, the device and what to check.
 */
public final class HardwareSensors implements RealSensors {
    private final PiIo io;
    private final Pause pause;
    private final Map<I2cDevice, Ads1115> adcs = new HashMap<>();
    private ScheduledExecutorService debounceTimer;
    private int ids;

    public HardwareSensors(PiIo io, Pause pause) {
        this.io = io;
        this.pause = pause;
    }

    /** On a Pi: checks the device files the sensors need, then starts Pi4J with the providers they need. */
    public static HardwareSensors open(List<SensorConfig> real) {
        return new HardwareSensors(Pi4jIo.open(needsGpio(real), buses(real), DeviceFiles.system()), Pause.REAL);
    }

    /**
     * For {@code check-config}: the checks of the device files that {@link #open} makes before it
     * starts Pi4J (GPIO chips, I2C buses: present, readable and writable for this user), without
     * starting anything. Simulated sensors need none. Throws {@link SensorStartException} as open would.
     */
    public static void checkDeviceFiles(List<SensorConfig> sensors, DeviceFiles files) {
        List<SensorConfig> real = sensors.stream().filter(c -> !c.simulated()).toList();
        if (needsGpio(real)) {
            files.checkGpio();
        }
        buses(real).forEach(files::checkI2c);
    }

    private static boolean needsGpio(List<SensorConfig> real) {
        return real.stream().anyMatch(c -> c.settings() instanceof Hardware.GpioInput);
    }

    private static Set<Integer> buses(List<SensorConfig> real) {
        Set<Integer> buses = new TreeSet<>();
        for (SensorConfig c : real) {
            switch (c.settings()) {
                case Hardware.GpioInput g -> { }
                case Hardware.Bme280 b -> buses.add(b.device().bus());
                case Hardware.Bh1750 b -> buses.add(b.device().bus());
                case Hardware.Ads1115 a -> buses.add(a.device().bus());
                default -> throw new IllegalArgumentException("sensor " + c.name() + " is not a real sensor");
            }
        }
        return buses;
    }

    @Override
    public void open(SensorConfig c, SensorSet.Builder into) {
        String id = "pigw-sensor-" + ++ids;
        switch (c.settings()) {
            case Hardware.Bme280 b -> {
                Bme280 chip = i2c(c, "BME280", b.device(), i2c -> Bme280.open(i2c, pause));
                into.add(new ScheduledSensor(new Bme280Sensor(c.name(), chip, b.device().toString()), c.interval()));
            }
            case Hardware.Bh1750 b -> {
                Bh1750 chip = i2c(c, "BH1750", b.device(), i2c -> Bh1750.open(i2c, pause));
                into.add(new ScheduledSensor(new Bh1750Sensor(c.name(), chip, b.device().toString()), c.interval()));
            }
            case Hardware.Ads1115 a -> {
                Ads1115 chip = adcs.get(a.device());
                if (chip == null) {
                    chip = i2c(c, "ADS1115", a.device(), i2c -> Ads1115.open(i2c, pause));
                    adcs.put(a.device(), chip);
                }
                into.add(new ScheduledSensor(new Ads1115Sensor(c.name(), chip, a, c.unit(), a.device().toString()),
                        c.interval()));
            }
            case Hardware.GpioInput g -> gpio(c, g, id, into);
            default -> throw new IllegalArgumentException("sensor " + c.name() + " is not a real sensor");
        }
    }

    @FunctionalInterface
    private interface Driver<T> {
        T open(I2C i2c) throws IOException;
    }

    private <T> T i2c(SensorConfig c, String chip, I2cDevice device, Driver<T> driver) {
        I2C i2c;
        try {
            i2c = io.i2c("pigw-sensor-" + ++ids, device);
        } catch (SensorStartException e) {
            throw new SensorStartException("sensor " + c.name() + ": " + e.getMessage(), e);
        }
        try {
            return driver.open(i2c);
        } catch (IOException | RuntimeException e) {
            throw new SensorStartException("sensor " + c.name() + ": the " + chip + " on " + device + " could not be"
                    + " opened: " + ErrorText.of(e) + " (check its wiring, power and address; i2cdetect -y "
                    + device.bus() + " lists the addresses that answer)", e);
        }
    }

    private void gpio(SensorConfig c, Hardware.GpioInput g, String id, SensorSet.Builder into) {
        DigitalInput input;
        try {
            input = io.digitalInput(id, g.pin(), g.pull());
        } catch (SensorStartException e) {
            throw new SensorStartException("sensor " + c.name() + ": " + e.getMessage(), e);
        }
        String where = "GPIO" + g.pin() + ", pull " + g.pull().key() + ", debounce " + g.debounce().toMillis() + " ms";
        long debounce = g.debounce().toNanos();
        switch (g.mode()) {
            case EDGE -> {
                into.add(new GpioEdgeSensor(c.name(), c.unit(), input, debounce, timer(), System::nanoTime,
                        DeviceClock.system()::stamp, "edges on " + where));
                if (!c.interval().isZero()) {
                    into.add(new ScheduledSensor(new GpioStateSensor(c.name(), c.unit(), "gpio.edge", input,
                            "state of " + where), c.interval()));
                }
            }
            case STATE -> into.add(new ScheduledSensor(new GpioStateSensor(c.name(), c.unit(), "gpio.state", input,
                    "state of " + where), c.interval()));
            case COUNTER -> {
                boolean activeHigh = g.pull() != Hardware.Pull.UP;
                try {
                    into.add(new ScheduledSensor(new GpioPulseCounter(c.name(), c.unit(), input, activeHigh, debounce,
                            timer(), System::nanoTime, DeviceClock.system()::stamp, "pulses (to " + (activeHigh ? "high"
                            : "low") + ") on " + where), c.interval()));
                } catch (IOException e) {
                    throw new SensorStartException("sensor " + c.name() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** One daemon thread for all debounce checks, created with the first GPIO sensor. */
    private Debouncer.Timer timer() {
        if (debounceTimer == null) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "gpio-debounce");
                thread.setDaemon(true);
                return thread;
            });
            t.setRemoveOnCancelPolicy(true);
            debounceTimer = t;
        }
        ScheduledExecutorService t = debounceTimer;
        return (task, delayNanos) -> {
            try {
                t.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down: the pending change is dropped with the rest
            }
        };
    }

    /** Stops the debounce timer, then shuts Pi4J down. */
    @Override
    public void close() {
        if (debounceTimer != null) {
            debounceTimer.shutdownNow();
        }
        io.close();
    }

    @Override
    public String toString() {
        return "the real sensors' I/O (Pi4J)";
    }
}
