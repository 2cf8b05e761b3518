package io.pigateway.gateway.ingest.lineprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.ingest.Sample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineMappingTest {
    private static LineProtocolMapped map(LineProtocolConfig config, String body, String credentials)
            throws LineProtocolException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        List<Point> points = new LineProtocolParser(config).parse(b, b.length, Precision.SECONDS);
        return new LineProtocolMapped(new LineMapping(config).map(points, credentials));
    }

    private record LineProtocolMapped(LineMapping.Result result) {
        List<Sample> of(String device) {
            return result.byDevice().get(device);
        }
    }

    private static LineProtocolConfig config(Map<String, String> keys) throws ConfigException {
        return LineProtocolConfig.from(Settings.of("test.conf", keys));
    }

    @Test
    void byDefaultTheDeviceTagNamesTheDeviceAndMeasurementDotFieldTheSensor() throws Exception {
        LineProtocolMapped m = map(LineProtocolConfig.defaults(),
                "weather,device=pi-attic,unit=C temp=21.5,hum=40i,ok=t,cnt=3u,note=\"dry\" 1700000000\n"
                        + "weather,host=pi-cellar temp=12\n"
                        + "power watts=5", "pi-attic");
        long t = 1_700_000_000_000_000_000L;
        assertEquals(List.of(new Sample("weather.temp", 21.5, t, 0, 0, "C"), new Sample("weather.hum", 40, t, 0, 0, "C"),
                        new Sample("weather.ok", 1, t, 0, 0, "C"), new Sample("weather.cnt", 3, t, 0, 0, "C"),
                        Sample.of("power.watts", 5, Sample.NO_TIME)),
                m.of("pi-attic"), "a line without device tag is the credentials' device; no time stays NO_TIME");
        assertEquals(List.of(Sample.of("weather.temp", 12, Sample.NO_TIME)), m.of("pi-cellar"));
        assertEquals(1, m.result().skippedStrings());
        assertEquals(6, m.result().readings());
        assertEquals(List.of("pi-attic", "pi-cellar"), List.copyOf(m.result().byDevice().keySet()));
    }

    @Test
    void deviceTagWinsInConfiguredOrderAndFalseIsZero() throws Exception {
        LineProtocolMapped m = map(LineProtocolConfig.defaults(), "m,host=h1,device=d1 on=false", null);
        assertEquals(List.of(Sample.of("m.on", 0, Sample.NO_TIME)), m.of("d1"));
        LineProtocolMapped other = map(config(Map.of("ingest.line-protocol.device-tags", "host")),
                "m,host=h1,device=d1 on=F", null);
        assertEquals(List.of(Sample.of("m.on", 0, Sample.NO_TIME)), other.of("h1"));
    }

    @Test
    void aLineWithoutDeviceNeedsCredentials() {
        LineProtocolException e = assertThrows(LineProtocolException.class,
                () -> map(LineProtocolConfig.defaults(), "m,device=a v=1\nm v=2", null));
        assertEquals(2, e.line());
        assertEquals(LineProtocolException.Kind.MAPPING, e.kind());
        assertTrue(e.reason().contains("no tag naming its device (device, host)"), e.reason());
    }

    @Test
    void stringsAreRefusedWhenConfigured() throws Exception {
        LineProtocolConfig refuse = config(Map.of("ingest.line-protocol.strings", "refuse"));
        LineProtocolException e = assertThrows(LineProtocolException.class,
                () -> map(refuse, "m v=1\nm v=1,s=\"x\"", "d"));
        assertEquals(2, e.line());
        assertTrue(e.reason().startsWith("field 's' is a string"), e.reason());
        LineProtocolMapped onlyStrings = map(LineProtocolConfig.defaults(), "m s=\"x\"", "d");
        assertEquals(Map.of(), onlyStrings.result().byDevice(), "a device with nothing to store is left out");
    }

    @Test
    void theSensorTemplateTakesTagsAndInvalidNamesAreRefusedWithTheLine() throws Exception {
        LineProtocolConfig ha = config(Map.of("ingest.line-protocol.sensor", "{tag:domain}.{tag:entity_id}.{field}",
                "ingest.line-protocol.unit-tag", "none"));
        LineProtocolMapped m = map(ha, "°C,domain=sensor,entity_id=kitchen,unit=x value=21.5", "pi-ha");
        assertEquals(List.of(Sample.of("sensor.kitchen.value", 21.5, Sample.NO_TIME)), m.of("pi-ha"));

        LineProtocolException missing = assertThrows(LineProtocolException.class,
                () -> map(ha, "°C,domain=sensor value=1", "pi-ha"));
        assertTrue(missing.reason().contains("needs tag 'entity_id'"), missing.reason());
        LineProtocolException bad = assertThrows(LineProtocolException.class,
                () -> map(LineProtocolConfig.defaults(), "m v=1\n°C value=1", "pi-ha"));
        assertEquals(2, bad.line());
        assertTrue(bad.reason().startsWith("sensor name '°C.value' contains character U+00B0"), bad.reason());
        LineProtocolException badDevice = assertThrows(LineProtocolException.class,
                () -> map(LineProtocolConfig.defaults(), "m,device=a/b v=1", null));
        assertTrue(badDevice.reason().startsWith("device id (tag 'device') contains character U+002F"), badDevice.reason());
    }

    @Test
    void aTemplateWithoutFieldTakesLinesOfOneFieldOnly() throws Exception {
        LineProtocolConfig tasmota = config(Map.of("ingest.line-protocol.sensor", "{tag:sensor}.{measurement}"));
        LineProtocolMapped m = map(tasmota, "temperature,device=tasmota_1,sensor=ds18b20 value=21.5", null);
        assertEquals(List.of(Sample.of("ds18b20.temperature", 21.5, Sample.NO_TIME)), m.of("tasmota_1"));
        LineProtocolException two = assertThrows(LineProtocolException.class,
                () -> map(tasmota, "temperature,device=t,sensor=s value=1,other=2", null));
        assertTrue(two.reason().startsWith("the line has 2 number fields, and the sensor name ({tag:sensor}.{measurement},"
                + " ingest.line-protocol.sensor) has no {field}"), two.reason());
    }

    @Test
    void badConfigurationNamesTheKeyAndValue() {
        ConfigException open = assertThrows(ConfigException.class,
                () -> config(Map.of("ingest.line-protocol.sensor", "{measurement")));
        assertEquals("test.conf: key 'ingest.line-protocol.sensor' = '{measurement' is invalid: '{' at index 0 is not"
                + " closed", open.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> config(Map.of("ingest.line-protocol.sensor", "{field}{colour}")));
        assertTrue(unknown.getMessage().contains("placeholder {colour} is unknown"), unknown.getMessage());
        ConfigException strings = assertThrows(ConfigException.class,
                () -> config(Map.of("ingest.line-protocol.strings", "keep")));
        assertTrue(strings.getMessage().contains("must be one of skip, refuse"), strings.getMessage());
    }
}
