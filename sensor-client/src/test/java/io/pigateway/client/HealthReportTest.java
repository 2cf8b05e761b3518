package io.pigateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.client.sensor.SamplerStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthReportTest {
    record Sample(String sensor, long time, double value) { }

    @Test
    void aReportIsTheSpoolDepthAndTheFailedSensorReadsAtOneInstant() {
        List<Sample> samples = new ArrayList<>();
        HealthReport.report((sensor, time, value) -> samples.add(new Sample(sensor, time, value)), () -> 1234,
                () -> new SamplerStats(500, 2, 7), () -> 1_700_000_000_000L);
        assertEquals(List.of(new Sample("client.spool-depth", 1_700_000_000_000L, 1234),
                new Sample("client.sensor-failures", 1_700_000_000_000L, 7)), samples);
    }

    @Test
    void theReportedSensorsAreAnnouncedAsRealNotSimulated() {
        assertEquals(List.of("client.spool-depth", "client.sensor-failures"),
                HealthReport.ANNOUNCED.stream().map(a -> a.name()).toList());
        HealthReport.ANNOUNCED.forEach(a -> assertEquals(null, a.problem(), a.name()));
        HealthReport.ANNOUNCED.forEach(a -> assertEquals(false, a.simulated(), a.name()));
    }
}
