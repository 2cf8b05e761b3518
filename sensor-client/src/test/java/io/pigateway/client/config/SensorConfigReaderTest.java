package io.pigateway.client.config;

import static io.pigateway.client.config.TestConf.assertInvalid;
import static io.pigateway.client.config.TestConf.error;
import static io.pigateway.client.config.TestConf.lines;
import static io.pigateway.client.config.TestConf.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of the real sensors: defaults, ranges, messages, conflicts, and check-config's output. */
class SensorConfigReaderTest {
    private static Map<String, String> base() {
        return lines("""
                device.id = pi-1
                gateway.addresses = 10.0.0.5:4711
                """);
    }

    /** The message of parsing {@link #base()} with these {@code key = value} lines added. */
    private static String errorFor(String moreLines) {
        Map<String, String> m = base();
        m.putAll(lines(moreLines));
        return error(m);
    }

    private static SensorConfig only(Map<String, String> m) throws ConfigException {
        return parse(m).sensors().getFirst();
    }

    @Test
    void everyRealTypeWithItsDefaults() throws Exception {
        Map<String, String> m = base();
        m.put("sensor.air.type", "bme280");
        assertEquals(new SensorConfig("air", SensorType.BME280, Duration.ofSeconds(1), "",
                new Hardware.Bme280(new I2cDevice(1, 0x76))), only(m));
        assertEquals(List.of("air.temperature", "air.pressure", "air.humidity"), only(m).readingNames());

        m = base();
        m.put("sensor.light.type", "bh1750");
        assertEquals(new Hardware.Bh1750(new I2cDevice(1, 0x23)), only(m).settings());
        assertEquals("lx", only(m).unit());

        m = base();
        m.put("sensor.adc.type", "ads1115");
        assertEquals(new Hardware.Ads1115(new I2cDevice(1, 0x48), List.of(Hardware.AdcInput.A0), Hardware.AdcGain.ONE,
                128, null), only(m).settings());
        assertEquals("V", only(m).unit());
        assertEquals(List.of("adc.a0"), only(m).readingNames());

        m = base();
        m.putAll(lines("""
                sensor.door.type = gpio-input
                sensor.door.pin = 17
                sensor.door.pull = up
                """));
        SensorConfig door = only(m);
        assertEquals(new Hardware.GpioInput(17, Hardware.Pull.UP, Duration.ofMillis(10), Hardware.GpioMode.EDGE),
                door.settings());
        assertEquals(Duration.ZERO, door.interval(), "edges only, no periodic state unless an interval is set");
        assertEquals(List.of("door"), door.readingNames());
    }

    @Test
    void everyRealKeySet() throws Exception {
        Map<String, String> m = base();
        m.putAll(lines("""
                sensor.tank.type = ads1115
                sensor.tank.bus = 3
                sensor.tank.address = 0x4B
                sensor.tank.channels = a0, a2-a3
                sensor.tank.gain = 2/3
                sensor.tank.data-rate = 860
                sensor.tank.scale = 0.6:4, 3.0:20
                sensor.tank.unit = mA
                sensor.tank.interval = 250ms
                sensor.rain.type = gpio-input
                sensor.rain.pin = 22
                sensor.rain.pull = off
                sensor.rain.debounce = 0ms
                sensor.rain.mode = counter
                sensor.rain.interval = 5m
                """));
        List<SensorConfig> s = parse(m).sensors();
        assertEquals(new SensorConfig("rain", SensorType.GPIO_INPUT, Duration.ofMinutes(5), "pulses",
                new Hardware.GpioInput(22, Hardware.Pull.OFF, Duration.ZERO, Hardware.GpioMode.COUNTER)), s.get(0));
        assertEquals(new SensorConfig("tank", SensorType.ADS1115, Duration.ofMillis(250), "mA",
                new Hardware.Ads1115(new I2cDevice(3, 0x4B), List.of(Hardware.AdcInput.A0, Hardware.AdcInput.A2_A3),
                        Hardware.AdcGain.TWO_THIRDS, 860, new LinearScale(0.6, 4, 3.0, 20))), s.get(1));
        assertEquals(12.0, new LinearScale(0.6, 4, 3.0, 20).apply(1.8), 1e-12);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bme280     | address   | 0x77x      | must be 0x76 or 0x77 (SDO to GND: 0x76, SDO to 3.3 V: 0x77)",
        "bme280     | address   | 0x60       | must be 0x76 or 0x77",
        "bh1750     | address   | 0x77       | must be 0x23 or 0x5C (ADDR low: 0x23, ADDR high: 0x5C)",
        "ads1115    | address   | 0x47       | must be 0x48, 0x49, 0x4A or 0x4B",
        "bme280     | bus       | -1         | must be from 0 to 255",
        "ads1115    | channels  | a4         | must list distinct inputs from a0, a1, a2, a3 (against GND) and a0-a1",
        "ads1115    | channels  | 'a0, a0'   | must list distinct inputs",
        "ads1115    | gain      | 3          | must be one of 2/3, 1, 2, 4, 8, 16 (full scale ±6.144",
        "ads1115    | data-rate | 100        | must be one of 8, 16, 32, 64, 128, 250, 475, 860",
        "ads1115    | scale     | 0.6:4      | must be two points volts:value, e.g. 0.6:4, 3.0:20",
        "ads1115    | scale     | '1:4, 1:20' | with two different voltages",
        "bme280     | interval  | 5ms        | must be from 10ms to 24h",
    })
    void badI2cValues(String type, String key, String value, String rule) {
        Map<String, String> m = base();
        m.put("sensor.x.type", type);
        m.put("sensor.x." + key, value);
        if (key.equals("scale")) {
            m.put("sensor.x.unit", "mA");
        }
        assertInvalid(m, "sensor.x." + key, value, rule);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "pin      | 28    | must be from 0 to 27",
        "pull     | weak  | must be one of up, down, off",
        "debounce | 11s   | must be from 0s to 10s",
        "mode     | pulse | must be one of edge, state, counter",
    })
    void badGpioValues(String key, String value, String rule) {
        Map<String, String> m = base();
        m.putAll(lines("""
                sensor.x.type = gpio-input
                sensor.x.pin = 17
                sensor.x.pull = up
                """));
        m.put("sensor.x." + key, value);
        assertInvalid(m, "sensor.x." + key, value, rule);
    }

    @Test
    void requiredKeysSayWhatTheyAreFor() {
        Map<String, String> m = base();
        m.put("sensor.door.type", "gpio-input");
        assertEquals("test.conf: key 'sensor.door.pin' is required for a gpio-input: its BCM number, 0 to 27 (GPIO17 is"
                + " header pin 11)", error(m));
        m.put("sensor.door.pin", "17");
        assertTrue(error(m).startsWith("test.conf: key 'sensor.door.pull' is required for a gpio-input: up (a switch to"
                + " GND), down"), error(m));

        m = base();
        m.put("sensor.p.type", "ads1115");
        m.put("sensor.p.scale", "0.6:0, 3.0:10");
        assertEquals("test.conf: key 'sensor.p.unit' is required with 'sensor.p.scale': the unit of the scaled value,"
                + " e.g. mA or bar", error(m));
    }

    @Test
    void keysOfOtherTypesAreUnknown() {
        Map<String, String> m = base();
        m.put("sensor.air.type", "bme280");
        m.put("sensor.air.unit", "K");
        assertTrue(error(m).startsWith("test.conf: unknown key 'sensor.air.unit'"), "a BME280's units are fixed");
        m.remove("sensor.air.unit");
        m.put("sensor.air.pin", "4");
        assertTrue(error(m).startsWith("test.conf: unknown key 'sensor.air.pin'"));
    }

    @Test
    void conflictsBetweenSensors() {
        assertEquals("test.conf: sensors 'a' and 'b' both use I2C bus 1 (/dev/i2c-1) at 0x76", errorFor("""
                sensor.a.type = bme280
                sensor.b.type = bme280
                sensor.b.address = 0x76
                """));
        assertEquals("test.conf: sensors 'a' and 'b' both use GPIO17", errorFor("""
                sensor.a.type = gpio-input
                sensor.a.pin = 17
                sensor.a.pull = up
                sensor.b.type = gpio-input
                sensor.b.pin = 17
                sensor.b.pull = down
                """));
        assertEquals("test.conf: sensor 'a' uses GPIO3, which is SCL of I2C bus 1, and sensor 'b' uses that bus",
                errorFor("""
                        sensor.a.type = gpio-input
                        sensor.a.pin = 3
                        sensor.a.pull = up
                        sensor.b.type = bh1750
                        """));
    }

    @Test
    void twoAds1115SensorsMayShareTheChip() throws Exception {
        Map<String, String> m = base();
        m.putAll(lines("""
                sensor.a.type = ads1115
                sensor.b.type = ads1115
                sensor.b.channels = a1
                """));
        assertEquals(2, parse(m).sensors().size());
    }

    @Test
    void aSensorNameTooLongForItsReadingNames() {
        Map<String, String> m = base();
        String name = "n".repeat(60);
        m.put("sensor." + name + ".type", "bme280");
        assertEquals("test.conf: key 'sensor." + name + ".type' gives sensor '" + name + "' a reading named '" + name
                + ".temperature', which is invalid: reading name is 72 characters long; at most 64 are allowed",
                error(m));
    }

    @Test
    void describeOfRealSensorsLoadsBack(@TempDir Path dir) throws Exception {
        Map<String, String> m = base();
        m.putAll(lines("""
                sensor.air.type = bme280
                sensor.air.address = 0x77
                sensor.light.type = bh1750
                sensor.light.address = 92
                sensor.tank.type = ads1115
                sensor.tank.channels = a1,a0-a1
                sensor.tank.gain = 16
                sensor.tank.scale = 0.6:0, 3:10.5
                sensor.tank.unit = bar
                sensor.door.type = gpio-input
                sensor.door.pin = 17
                sensor.door.pull = up
                sensor.pir.type = gpio-input
                sensor.pir.pin = 27
                sensor.pir.pull = down
                sensor.pir.mode = state
                sensor.door2.type = gpio-input
                sensor.door2.pin = 5
                sensor.door2.pull = up
                sensor.door2.interval = 5m
                """));
        SensorClientConfig c = parse(m);
        Path file = dir.resolve("described.conf");
        Files.writeString(file, c.describe());
        assertEquals(c, SensorClientConfig.load(file, null));
        String text = c.describe();
        assertTrue(text.contains("sensor.light.address = 0x5C\n"), text);
        assertTrue(text.contains("sensor.tank.scale = 0.6:0, 3:10.5\n"), text);
        assertTrue(!text.contains("sensor.door.interval"), "edges only: no interval line");
    }
}
