package io.pigateway.client.sensor.pi4j;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.io.gpio.digital.DigitalState;
import io.pigateway.client.config.Hardware;
import io.pigateway.client.config.Hardware.AdcGain;
import io.pigateway.client.config.Hardware.AdcInput;
import io.pigateway.client.config.I2cDevice;
import io.pigateway.client.config.SensorConfig;
import io.pigateway.client.config.SensorType;
import io.pigateway.client.config.Simulation;
import io.pigateway.client.sensor.Sampler;
import io.pigateway.client.sensor.SensorSet;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.client.sensor.Sensors;
import io.pigateway.client.sensor.i2c.FakeI2C;
import io.pigateway.client.sensor.i2c.Pause;
import io.pigateway.protocol.SensorInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Configured real sensors opened on mock GPIO and register-fake I2C chips, then sampled. */
@Timeout(20)
class HardwareSensorsTest {
    private static final Duration FAST = Duration.ofMillis(10);
    private static final Pause NO_WAIT = millis -> { };
    private static final I2cDevice BME = new I2cDevice(1, 0x76);
    private static final I2cDevice LIGHT = new I2cDevice(1, 0x23);
    private static final I2cDevice ADC = new I2cDevice(1, 0x48);

    private final FakePiIo io = new FakePiIo();

    private static List<SensorConfig> configs() {
        return List.of(
                new SensorConfig("air", SensorType.BME280, FAST, "", new Hardware.Bme280(BME)),
                new SensorConfig("door", SensorType.GPIO_INPUT, Duration.ofMinutes(5), "",
                        new Hardware.GpioInput(17, Hardware.Pull.UP, Duration.ofMillis(5), Hardware.GpioMode.EDGE)),
                new SensorConfig("light", SensorType.BH1750, FAST, "lx", new Hardware.Bh1750(LIGHT)),
                new SensorConfig("rain", SensorType.GPIO_INPUT, Duration.ofMinutes(1), "pulses",
                        new Hardware.GpioInput(22, Hardware.Pull.UP, Duration.ofMillis(5), Hardware.GpioMode.COUNTER)),
                new SensorConfig("sim", SensorType.TEMPERATURE, Duration.ofHours(1), "°C",
                        new Simulation.Wave(20, 1, Duration.ofMinutes(10), 0)),
                new SensorConfig("tank", SensorType.ADS1115, Duration.ofHours(1), "V",
                        new Hardware.Ads1115(ADC, List.of(AdcInput.A0), AdcGain.ONE, 128, null)),
                new SensorConfig("volts", SensorType.ADS1115, Duration.ofHours(1), "V",
                        new Hardware.Ads1115(ADC, List.of(AdcInput.A1, AdcInput.A2_A3), AdcGain.TWO, 860, null)));
    }

    private void chips() {
        io.chips.put(BME, bme280(0x60));
        FakeI2C light = new FakeI2C(1, 0x23);
        light.rawAnswer = new byte[] {0x00, 0x78};
        io.chips.put(LIGHT, light);
        FakeI2C adc = new FakeI2C(1, 0x48, 2);
        adc.word(1, 0x8583);
        io.chips.put(ADC, adc);
    }

    private static FakeI2C bme280(int chipId) {
        FakeI2C f = new FakeI2C(1, 0x76);
        // The BMP280 datasheet's example: 25.08 °C, 1006.53 hPa; humidity trimming zero except H2.
        f.set(0xD0, chipId);
        f.set(0x88, 0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC, 0x7D, 0x8E, 0x43, 0xD6, 0xD0, 0x0B, 0x27, 0x0B, 0x8C, 0x00,
                0xF9, 0xFF, 0x8C, 0x3C, 0xF8, 0xC6, 0x70, 0x17);
        f.set(0xE1, 0x6A, 0x01);
        f.set(0xF7, 0x65, 0x5A, 0xC0, 0x7E, 0xED, 0x00, 0x70, 0x00);
        return f;
    }

    private SensorSet open(List<SensorConfig> configs) {
        return Sensors.open(configs, real -> new HardwareSensors(io, NO_WAIT));
    }

    @Test
    void everyConfiguredSensorIsOpenedAndAnnouncedInConfigOrder() {
        chips();
        try (SensorSet set = open(configs())) {
            assertEquals(List.of(
                    new SensorInfo("air.temperature", "°C", "bme280.temperature", false),
                    new SensorInfo("air.pressure", "hPa", "bme280.pressure", false),
                    new SensorInfo("air.humidity", "%RH", "bme280.humidity", false),
                    new SensorInfo("door", "", "gpio.edge", false),
                    new SensorInfo("light", "lx", "bh1750.illuminance", false),
                    new SensorInfo("rain", "pulses", "gpio.counter", false),
                    new SensorInfo("sim", "°C", "simulated.temperature", true),
                    new SensorInfo("tank.a0", "V", "ads1115.voltage", false),
                    new SensorInfo("volts.a1", "V", "ads1115.voltage", false),
                    new SensorInfo("volts.a2-a3", "V", "ads1115.voltage", false)), set.announcements());
            assertEquals(1, set.events().size(), "the door's edges");
            assertEquals(7, set.polled().size(), "and its periodic state, which shares its reading name");
            assertEquals(List.of(BME, LIGHT, ADC), io.opened, "one ADS1115 for both sensors on 0x48");
        }
        assertTrue(io.closed, "closing the set shuts Pi4J down");
    }

    @Test
    void aWrongChipStopsTheStartAndClosesWhatWasOpened() {
        chips();
        io.chips.put(BME, bme280(0x55));
        SensorStartException e = assertThrows(SensorStartException.class, () -> open(configs()));
        assertEquals("sensor air: the BME280 on I2C bus 1 (/dev/i2c-1) at 0x76 could not be opened: I2C bus 1 at 0x76:"
                + " chip id register 0xD0 reads 0x55; expected 0x60 (BME280) or 0x56-0x58 (BMP280): another chip answers"
                + " at this address (check its wiring, power and address; i2cdetect -y 1 lists the addresses that"
                + " answer)", e.getMessage());
        assertTrue(io.closed);
    }

    @Test
    void nothingAtTheAddressStopsTheStart() {
        chips();
        io.chips.get(LIGHT).broken = true;
        SensorStartException e = assertThrows(SensorStartException.class, () -> open(configs()));
        assertEquals("sensor light: the BH1750 on I2C bus 1 (/dev/i2c-1) at 0x23 could not be opened: I2C bus 1 at 0x23:"
                + " sending command 0x01 failed: Failed to execute action for device 35 on bus 1: Remote I/O error (check"
                + " its wiring, power and address; i2cdetect -y 1 lists the addresses that answer)", e.getMessage());
    }

    @Test
    void aChipThatFailsMidRunIsCountedBackedOffAndTheOthersKeepSampling() throws Exception {
        chips();
        Map<String, List<Double>> got = new ConcurrentHashMap<>();
        List<Long> doorTimes = new CopyOnWriteArrayList<>();
        try (Sampler sampler = Sampler.start(open(configs()), (sensor, at, value) -> {
            got.computeIfAbsent(sensor, k -> new CopyOnWriteArrayList<>()).add(value);
            if (sensor.equals("door")) {
                doorTimes.add(at);
            }
        }, System::currentTimeMillis)) {
            until("light and air sampled", Duration.ofSeconds(5),
                    () -> count(got, "light") >= 5 && count(got, "air.temperature") >= 5);
            assertEquals(25.08, got.get("air.temperature").getFirst(), 1e-9);
            assertEquals(1006.5325390625, got.get("air.pressure").getFirst(), 1e-9);
            assertEquals(100.0, got.get("light").getFirst(), 1e-9);
            assertEquals(List.of(0.0, 0.0), got.get("door"), "the level at start, from the edges and the state");

            io.chips.get(BME).broken = true;
            until("the failure is counted", Duration.ofSeconds(5), () -> sampler.stats().failed() >= 2);
            int airBefore = count(got, "air.temperature");
            int lightBefore = count(got, "light");
            until("the light sensor keeps going", Duration.ofSeconds(5), () -> count(got, "light") >= lightBefore + 20);
            assertEquals(airBefore, count(got, "air.temperature"), "no bogus value while the BME280 fails");
            long failed = sampler.stats().failed();
            assertTrue(failed < 10, "backing off, not failing every 10 ms: " + failed + " failed reads");

            io.pins.get(17).mockState(DigitalState.HIGH);
            until("the door edge arrives", Duration.ofSeconds(5), () -> count(got, "door") == 3);
            assertEquals(1.0, got.get("door").getLast());

            io.chips.get(BME).broken = false;
            until("the BME280 recovers", Duration.ofSeconds(10), () -> count(got, "air.temperature") > airBefore);
        }
        assertTrue(io.closed);
    }

    private static int count(Map<String, List<Double>> got, String sensor) {
        List<Double> l = got.get(sensor);
        return l == null ? 0 : l.size();
    }
}
