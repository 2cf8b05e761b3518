package io.pigateway.client.sensor.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import io.pigateway.client.sensor.EventSensor;
import io.pigateway.client.sensor.NamedSensor;
import io.pigateway.client.sensor.ReadingSink;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A GPIO input that reports each debounced change: 1 when it goes high, 0 when it goes low, stamped
 * with the time of the change's first edge. On start it reports the current level once, so the
 * gateway knows where it stands (door open or closed) before the first change.
 */
public final class GpioEdgeSensor extends NamedSensor implements EventSensor {
    private final DigitalInput input;
    private final long debounceNanos;
    private final Debouncer.Timer timer;
    private final LongSupplier nanoClock;
    private final LongSupplier clockMillis;
    private DigitalStateChangeListener listener;
    private Debouncer debouncer;

    public GpioEdgeSensor(String name, String unit, DigitalInput input, long debounceNanos, Debouncer.Timer timer,
                          LongSupplier nanoClock, LongSupplier clockMillis, String description) {
        super(name, description, List.of(new SensorInfo(name, unit, "gpio.edge", false)));
        this.input = input;
        this.debounceNanos = debounceNanos;
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.clockMillis = clockMillis;
    }

    @Override
    public synchronized void start(ReadingSink sink) {
        if (debouncer != null) {
            throw new IllegalStateException("sensor " + name() + " already started");
        }
        boolean initial = level();
        debouncer = new Debouncer(debounceNanos, initial, nanoClock, clockMillis, timer,
                (high, at) -> sink.accept(name(), at, Levels.value(high)));
        Debouncer d = debouncer;
        listener = Levels.edgesTo(d);
        sink.accept(name(), clockMillis.getAsLong(), Levels.value(initial));
        input.addListener(listener);
        boolean now = level(); // an edge between the first look and the listener would otherwise be lost
        if (now != initial) {
            d.edge(now);
        }
    }

    private boolean level() {
        try {
            return Levels.high(input, description());
        } catch (IOException e) {
            throw new SensorStartException("sensor " + name() + " (" + description() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (debouncer != null) {
            input.removeListener(listener);
            debouncer.stop();
        }
    }
}
