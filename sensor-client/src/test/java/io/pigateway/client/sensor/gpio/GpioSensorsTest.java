package io.pigateway.client.sensor.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import io.pigateway.protocol.SensorInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The GPIO sensors on Pi4J's mock digital input, whose {@code mockState} fires the listeners at once,
 * on the test's thread, like the gpiod provider's event thread would; time comes from a
 * {@link ManualTimer}.
 */
class GpioSensorsTest {
    private static final long DEBOUNCE = 10_000_000; // 10 ms
    private final Context pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build();
    private final ManualTimer timer = new ManualTimer();
    private final long t0 = timer.millis;
    private final List<String> readings = new ArrayList<>();

    @AfterEach
    void shutdown() {
        pi4j.shutdown();
    }

    private MockDigitalInput pin(int bcm) {
        return (MockDigitalInput) pi4j.create(DigitalInput.newConfigBuilder(pi4j).id("pin" + bcm).address(bcm)
                .pull(PullResistance.PULL_UP).debounce(0L));
    }

    private void sink(String sensor, long at, double value) {
        readings.add(sensor + "=" + (int) value + "@" + (at - t0));
    }

    private GpioEdgeSensor edges(MockDigitalInput in) {
        return new GpioEdgeSensor("door", "", in, DEBOUNCE, timer, () -> timer.nanos, () -> timer.millis, "GPIO17");
    }

    /** One contact closure or opening with a few bounces, 1 ms apart. */
    private void bouncyChangeTo(MockDigitalInput in, DigitalState to) {
        DigitalState other = to == DigitalState.HIGH ? DigitalState.LOW : DigitalState.HIGH;
        in.mockState(to);
        timer.advanceMillis(1);
        in.mockState(other);
        timer.advanceMillis(1);
        in.mockState(to);
    }

    @Test
    void eachDebouncedEdgeIsOneReadingAfterTheCurrentState() {
        MockDigitalInput in = pin(17);
        GpioEdgeSensor door = edges(in);
        assertEquals(List.of(new SensorInfo("door", "", "gpio.edge", false)), door.channels());
        door.start(this::sink);
        assertEquals(List.of("door=0@0"), readings, "the level at start");

        timer.advanceMillis(100);
        bouncyChangeTo(in, DigitalState.HIGH);
        timer.advanceMillis(50);
        bouncyChangeTo(in, DigitalState.LOW);
        timer.advanceMillis(50);
        assertEquals(List.of("door=0@0", "door=1@100", "door=0@152"), readings, "three bounces each, one reading each");

        door.stop();
        in.mockState(DigitalState.HIGH);
        timer.advanceMillis(50);
        assertEquals(3, readings.size(), "nothing after stop");
    }

    @Test
    void aGlitchShorterThanTheDebounceIsNoReading() {
        MockDigitalInput in = pin(17);
        GpioEdgeSensor door = edges(in);
        door.start(this::sink);
        in.mockState(DigitalState.HIGH);
        timer.advanceMillis(3);
        in.mockState(DigitalState.LOW);
        timer.advanceMillis(50);
        assertEquals(List.of("door=0@0"), readings);
    }

    @Test
    void theCounterReportsDebouncedPulsesPerInterval() throws Exception {
        MockDigitalInput in = pin(22);
        in.mockState(DigitalState.HIGH); // idle high: a reed switch to GND with the pull-up on
        GpioPulseCounter rain = new GpioPulseCounter("rain", "pulses", in, false, DEBOUNCE, timer, () -> timer.nanos,
                () -> timer.millis, "GPIO22");
        assertEquals(0.0, rain.read(), "nothing yet");
        for (int i = 0; i < 5; i++) {
            bouncyChangeTo(in, DigitalState.LOW);  // the bucket tips: one pulse
            timer.advanceMillis(30);
            bouncyChangeTo(in, DigitalState.HIGH); // and releases: not counted
            timer.advanceMillis(30);
        }
        assertEquals(5.0, rain.read(), "five pulses, bounces and releases not counted");
        assertEquals(0.0, rain.read(), "per interval: the count starts again");
        in.mockState(DigitalState.LOW);
        timer.advanceMillis(30);
        assertEquals(1.0, rain.read());
        assertEquals("gpio.counter", rain.kind());
    }

    @Test
    void theStateSensorReadsTheLevel() throws Exception {
        MockDigitalInput in = pin(27);
        GpioStateSensor pir = new GpioStateSensor("pir", "", "gpio.state", in, "GPIO27");
        assertEquals(0.0, pir.read());
        in.mockState(DigitalState.HIGH);
        assertEquals(1.0, pir.read());
        assertEquals(List.of(new SensorInfo("pir", "", "gpio.state", false)), pir.channels());
    }
}
