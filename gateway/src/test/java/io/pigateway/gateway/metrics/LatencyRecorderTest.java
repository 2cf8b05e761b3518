package io.pigateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {
    @Test
    void aQuantileIsTheUpperBoundOfItsBucketAtMost19PercentHigh() {
        for (long nanos : new long[] {1, 10_000, 10_001, 123_456, 1_000_000, 7_777_777, 2_000_000_000L}) {
            LatencyRecorder r = new LatencyRecorder();
            long[] before = r.snapshot();
            r.record(nanos);
            double ms = LatencyRecorder.quantileMillis(before, r.snapshot(), 0.5);
            double exact = Math.max(nanos, LatencyRecorder.FIRST_BOUND_NANOS) / 1e6;
            assertTrue(ms >= exact && ms <= exact * 1.19 + 1e-9, nanos + " ns gave " + ms + " ms");
        }
    }

    @Test
    void quantilesAreOfWhatHappenedBetweenTwoSnapshots() {
        LatencyRecorder r = new LatencyRecorder();
        for (int i = 0; i < 1000; i++) {
            r.record(50_000_000); // 50 ms, before the window
        }
        long[] before = r.snapshot();
        for (int i = 0; i < 98; i++) {
            r.record(1_000_000);
        }
        r.record(100_000_000);
        r.record(100_000_000);
        long[] after = r.snapshot();
        assertEquals(1.0, LatencyRecorder.quantileMillis(before, after, 0.5), 0.19);
        assertEquals(1.0, LatencyRecorder.quantileMillis(before, after, 0.98), 0.19);
        assertTrue(LatencyRecorder.quantileMillis(before, after, 0.99) >= 100);
        assertTrue(Double.isNaN(LatencyRecorder.quantileMillis(after, after, 0.5)));
    }
}
