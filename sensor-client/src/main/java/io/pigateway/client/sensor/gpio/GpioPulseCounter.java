package io.pigateway.client.sensor.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import io.pigateway.client.sensor.Sensor;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts debounced pulses on a GPIO input (a rain gauge's reed switch, a flow meter) and reports how
 * many arrived since the previous sample. A pulse is counted when the input settles at its active
 * level: low for a switch to GND with the pull-up on, high otherwise. The first sample counts from
 * the moment the input was opened.
 */
public final class GpioPulseCounter implements Sensor {
    private final String name;
    private final String unit;
    private final String description;
    private final AtomicLong pulses = new AtomicLong();

    /**
     * Starts counting at once.
     *
     * @param activeHigh count changes to high (true) or to low (false)
     */
    public GpioPulseCounter(String name, String unit, DigitalInput input, boolean activeHigh, long debounceNanos,
                            Debouncer.Timer timer, LongSupplier nanoClock, LongSupplier clockMillis,
                            String description) throws IOException {
        this.name = name;
        this.unit = unit;
        this.description = description;
        Debouncer debouncer = new Debouncer(debounceNanos, Levels.high(input, description), nanoClock, clockMillis,
                timer, (high, at) -> {
                    if (high == activeHigh) {
                        pulses.incrementAndGet();
                    }
                });
        input.addListener(Levels.edgesTo(debouncer));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unit() {
        return unit;
    }

    @Override
    public String kind() {
        return "gpio.counter";
    }

    @Override
    public String description() {
        return description;
    }

    /** Pulses since the previous call. */
    @Override
    public double read() {
        return pulses.getAndSet(0);
    }
}
