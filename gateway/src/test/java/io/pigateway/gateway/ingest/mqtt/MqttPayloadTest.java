package io.pigateway.gateway.ingest.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.ingest.IngestRefusal;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttPayloadTest {
    private static final MqttPayload PAYLOADS = new MqttPayload(new LineProtocolParser(LineProtocolConfig.defaults()),
            new LineMapping(LineProtocolConfig.defaults()), Precision.NANOSECONDS);

    private static List<Sample> parse(String payload) throws IngestRefusal {
        return PAYLOADS.readings(payload.getBytes(StandardCharsets.UTF_8), "attic", "temp");
    }

    private static String refusal(String payload) {
        IngestRefusal r = assertThrows(IngestRefusal.class, () -> parse(payload));
        assertEquals(IngestRefusal.Reason.INVALID, r.reason());
        return r.getMessage();
    }

    @Test
    void aPlainNumberIsOneUntimedReading() throws Exception {
        assertEquals(List.of(Sample.of("temp", 21.5, Sample.NO_TIME)), parse(" 21.5\n"));
        assertEquals(List.of(Sample.of("temp", -1000, Sample.NO_TIME)), parse("-1e3"));
        assertEquals(List.of(Sample.of("temp", 1, Sample.NO_TIME)), parse("ON"));
        assertEquals(List.of(Sample.of("temp", 0, Sample.NO_TIME)), parse("false"));
    }

    @Test
    void jsonTakesMillisecondsOrAnIsoTimeAndAUnit() throws Exception {
        assertEquals(List.of(new Sample("temp", 21.5, 1_764_691_200_123_500_000L, 0, 0, "°C")),
                parse("{\"value\": 21.5, \"ts\": 1764691200123.5, \"unit\": \"\\u00b0C\"}"));
        assertEquals(List.of(Sample.of("temp", 1, 1_764_691_200_123_000_000L)),
                parse("{\"ts\":\"2025-12-02T17:00:00.123+01:00\",\"value\":true}"));
        assertEquals(List.of(Sample.of("temp", 7, Sample.NO_TIME)), parse("{\"value\":7}"));
    }

    @Test
    void whatIsNotAReadingIsRefusedWithTheReason() {
        assertTrue(refusal("").contains("empty"));
        assertTrue(refusal("warm").contains("neither a number"));
        assertTrue(refusal("warm").contains("line 1"));
        assertTrue(refusal("NaN").contains("neither a number"));
        assertTrue(refusal("1e999").contains("out of range"));
        assertTrue(refusal("{\"value\": 1, \"tS\": 5}").contains("tS is not one of value, ts, unit"));
        assertTrue(refusal("{\"ts\": 1764691200123}").contains("no \"value\""));
        assertTrue(refusal("{\"value\": \"21\"}").contains("expected a number"));
        assertTrue(refusal("{\"value\": 21, \"ts\": 1764691200}").contains("send milliseconds"));
        assertTrue(refusal("{\"value\": 21, \"ts\": \"yesterday\"}").contains("ISO-8601"));
        assertTrue(refusal("{\"value\": {\"x\": 1}}").contains("nested"));
        assertTrue(refusal("{\"value\": 1,}").contains("character"));
        assertTrue(refusal("{\"value\": 1} x").contains("text after the object"));
        assertTrue(refusal("{\"value\": 1, \"value\": 2}").contains("twice"));
        IngestRefusal r = assertThrows(IngestRefusal.class,
                () -> PAYLOADS.readings(new byte[] {(byte) 0xff, '1'}, "attic", "temp"));
        assertTrue(r.getMessage().contains("not UTF-8"));
        r = assertThrows(IngestRefusal.class, () -> PAYLOADS.readings("21.5".getBytes(StandardCharsets.UTF_8),
                "attic", null));
        assertTrue(r.getMessage().contains("names no sensor"));
    }

    @Test
    void lineProtocolAsTelegrafPublishesItBelongsToTheTopicsDeviceOnly() throws Exception {
        assertEquals(List.of(Sample.of("cpu.usage_idle", 97.5, 1_764_691_200_000_000_001L),
                        Sample.of("mem.used", 1024, 1_764_691_200_000_000_002L)),
                PAYLOADS.readings(("cpu,host=attic,cpu=cpu-total usage_idle=97.5 1764691200000000001\n"
                        + "mem used=1024i 1764691200000000002\n").getBytes(StandardCharsets.UTF_8), "attic", null));
        IngestRefusal r = assertThrows(IngestRefusal.class, () -> PAYLOADS.readings(
                "cpu,host=cellar usage_idle=1".getBytes(StandardCharsets.UTF_8), "attic", "x"));
        assertEquals(IngestRefusal.Reason.FORBIDDEN, r.reason());
        assertTrue(r.getMessage().contains("names device cellar in the topic of device attic"), r.getMessage());
    }
}
